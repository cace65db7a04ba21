import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorBody, protocolForPath } from '../http/protocol-errors';
import { isDbConnectionError, isUniqueViolation } from './db-errors';

/**
 * One place that turns every error into a response: the protocol's error shape (OpenAI, Anthropic,
 * Gemini, or the admin API's), 503 when the database is unreachable, 409 on a unique conflict, and a
 * logged 500 for anything unexpected — never a stack trace to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const protocol = protocolForPath(req.originalUrl ?? req.url);
    const requestId = typeof req.id === 'string' ? req.id : undefined;

    let status = 500;
    let message = 'Internal server error';
    let code: string | undefined;
    let headers: Record<string, string> | undefined;

    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'string') message = body;
      else if (body && typeof body === 'object') {
        const b = body as { message?: unknown; code?: unknown; headers?: Record<string, string> };
        message = Array.isArray(b.message) ? b.message.join('; ') : String(b.message ?? exception.message);
        if (typeof b.code === 'string') code = b.code;
        headers = b.headers;
      }
    } else if (isDbConnectionError(exception)) {
      status = 503;
      message = 'Database unavailable, try again shortly';
      code = 'database_unavailable';
      this.logger.warn(`Database unreachable: ${(exception as Error).message}`);
    } else if (isUniqueViolation(exception)) {
      status = 409;
      message = 'A record with the same unique value already exists';
      code = 'conflict';
    } else {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }

    if (res.headersSent) {
      res.end();
      return;
    }
    if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (status === 503) res.setHeader('Retry-After', '5');
    res.status(status).json(errorBody(protocol, { status, message, code, requestId }));
  }
}
