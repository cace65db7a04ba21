import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { applyCors } from '../common/http/cors';
import { errorBody } from '../common/http/protocol-errors';
import { AppConfig } from '../config/app-config';
import { errorProtocol } from './front-doors';
import { GatewayService } from './gateway.service';
import { InFlightRequests } from './in-flight';

/**
 * Puts the gateway's `/v1` routes in front of Express on Nest's own HTTP server: a request the
 * gateway serves never touches Express's router, body parser or Nest's pipeline (measured: a
 * pass-through inside Express keeps ~0.37 of a raw listener's throughput). Everything else — the
 * admin API, Swagger, health — goes on to Express unchanged.
 *
 * Graceful shutdown (before Nest closes the server and the writers flush): stop accepting
 * connections, answer new gateway requests on kept-alive connections with 503, let in-flight requests
 * and streams finish for up to SHUTDOWN_GRACE_MS, then cut the rest (they are logged and billed as
 * client-closed, 499).
 */
@Injectable()
export class GatewayListener implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Gateway');
  private server?: Server;
  private readonly inflight = new InFlightRequests();
  private draining = false;

  constructor(
    private readonly gateway: GatewayService,
    private readonly config: AppConfig,
  ) {}

  /** Gateway requests in progress (tests and metrics). */
  get inFlight(): number {
    return this.inflight.size;
  }

  install(server: Server): void {
    this.server = server;
    const express = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    const origins = this.config.corsOrigins;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // One CORS policy for every route (gateway and admin API), preflights answered here.
      if (applyCors(origins, req, res)) return;
      if (this.draining) res.setHeader('connection', 'close');
      const route = this.gateway.match(req.method, req.url);
      if (route) {
        if (this.draining) {
          const body = JSON.stringify(
            errorBody(errorProtocol(route.front), {
              status: 503,
              message: 'The gateway is shutting down; retry on another instance',
              code: 'shutting_down',
            }),
          );
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(body);
          return;
        }
        const entry = this.inflight.add(res);
        entry.done = this.gateway
          .handle(req, res, route)
          .catch((e: Error) => {
            this.logger.error(e.stack ?? e.message);
            if (!res.headersSent) res.writeHead(500).end();
          })
          .finally(() => this.inflight.delete(entry));
        return;
      }
      for (const l of express) l.call(server, req, res);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server || this.draining) return;
    this.draining = true;
    server.close(); // no new connections; Nest's own close later waits for the rest
    server.closeIdleConnections();
    if (this.inflight.size) {
      this.logger.log(
        `shutting down: waiting up to ${this.config.shutdownGraceMs} ms for ${this.inflight.size} requests`,
      );
      const all = Promise.all(this.inflight.list().map((r) => r.done));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.config.shutdownGraceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut && this.inflight.size) {
        this.logger.warn(`shutting down: cutting ${this.inflight.size} requests still in progress`);
        const left = this.inflight.list();
        for (const r of left) r.res.destroy();
        await Promise.all(left.map((r) => r.done));
      }
    }
    server.closeAllConnections();
  }
}
