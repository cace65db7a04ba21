import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOW_HEADERS =
  'authorization, content-type, x-api-key, x-goog-api-key, anthropic-version, anthropic-beta, ' +
  'x-request-id, x-session-id, openai-organization, openai-project';
const EXPOSE_HEADERS = 'x-request-id, x-gateway-dropped-fields, retry-after';

/**
 * CORS for browser clients (dashboards and web chat UIs), one policy for the raw gateway routes and
 * the Nest app. Returns true when it fully answered the request (a preflight).
 */
export function applyCors(
  origins: '*' | string[] | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const origin = req.headers.origin;
  if (!origins || !origin) return false;
  const allowed = origins === '*' || origins.includes(origin);
  if (!allowed) return false;
  res.setHeader('access-control-allow-origin', origins === '*' ? '*' : origin);
  if (origins !== '*') res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': '600',
      'content-length': '0',
    });
    res.end();
    return true;
  }
  return false;
}
