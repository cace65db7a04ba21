import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { applyCors } from '../common/http/cors';
import { AppConfig } from '../config/app-config';
import { GatewayService } from './gateway.service';

/**
 * Puts the gateway's `/v1` routes in front of Express on Nest's own HTTP server: a request the
 * gateway serves never touches Express's router, body parser or Nest's pipeline (measured: a
 * pass-through inside Express keeps ~0.37 of a raw listener's throughput). Everything else — the
 * admin API, Swagger, health — goes on to Express unchanged.
 */
@Injectable()
export class GatewayListener {
  private readonly logger = new Logger('Gateway');

  constructor(
    private readonly gateway: GatewayService,
    private readonly config: AppConfig,
  ) {}

  install(server: Server): void {
    const express = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    const origins = this.config.corsOrigins;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // One CORS policy for every route (gateway and admin API), preflights answered here.
      if (applyCors(origins, req, res)) return;
      const route = this.gateway.match(req.method, req.url);
      if (route) {
        this.gateway.handle(req, res, route).catch((e: Error) => {
          this.logger.error(e.stack ?? e.message);
          if (!res.headersSent) res.writeHead(500).end();
        });
        return;
      }
      for (const l of express) l.call(server, req, res);
    });
  }
}
