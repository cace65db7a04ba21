import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../gateway-error';

/** Reads the request body up to `limit` bytes (413 beyond it, without buffering the excess). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(
      new GatewayError(413, `Request body too large (limit ${limit} bytes)`, 'request_too_large'),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new GatewayError(413, `Request body too large (limit ${limit} bytes)`, 'request_too_large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON object body (the request's text); 400 with a clear message otherwise. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (!text.length)
    throw new GatewayError(400, 'Request body is empty; send a JSON object', 'invalid_request_error');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GatewayError(400, `Request body is not valid JSON: ${(e as Error).message}`, 'invalid_json');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError(400, 'Request body must be a JSON object', 'invalid_request_error');
  }
  return value as Record<string, unknown>;
}
