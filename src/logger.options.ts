import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { AppConfig } from './config/app-config';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Accepts a sane incoming `x-request-id`, else makes one; echoes it on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** Strips `key=` (Gemini-style API keys) from logged URLs. */
export function redactUrlKey(url: string | undefined): string | undefined {
  return url?.replace(/([?&]key=)[^&]*/gi, '$1[REDACTED]');
}

/**
 * Nest's own log lines (the `Logger` of every service) through pino, as JSON on stdout.
 *
 * nestjs-pino's middleware is not installed (`forRoutes: []`): it would wrap every admin request in an
 * `AsyncLocalStorage`, and on Node 20 the first such request turns on promise hooks for the whole
 * process — every promise of the `/v1` hot path then pays for them (measured: ~8 % of the gateway's
 * CPU per request). Admin requests are logged by `httpLogger` instead, one line each with its id;
 * service log lines carry their context name, not the request id.
 */
export function loggerOptions(config: AppConfig): Params {
  return { pinoHttp: { level: config.logLevel }, forRoutes: [] };
}

/** Express middleware: one structured JSON line per admin/API request (not `/v1`), secrets redacted. */
export function httpLogger(config: AppConfig): HttpLogger {
  return pinoHttp(httpLoggerOptions(config));
}

function httpLoggerOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    genReqId: requestId,
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers["x-goog-api-key"]',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req: (req: {
        id: string;
        method: string;
        url: string;
        remoteAddress?: string;
        headers: Record<string, unknown>;
      }) => ({
        id: req.id,
        method: req.method,
        url: redactUrlKey(req.url),
        remoteAddress: req.remoteAddress,
        userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
