/** The error shapes of the three client protocols the gateway speaks, plus the admin API's. */
export type Protocol = 'openai' | 'anthropic' | 'gemini' | 'admin';

/** Which protocol a request path belongs to (decides the error shape). */
export function protocolForPath(path: string): Protocol {
  if (path.startsWith('/anthropic/') || /^\/v1\/messages(\/|$|\?)/.test(path)) return 'anthropic';
  if (path.startsWith('/gemini/') || path.startsWith('/v1beta/')) return 'gemini';
  if (path.startsWith('/v1/') || path === '/v1' || path.startsWith('/openai/')) return 'openai';
  return 'admin';
}

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'service_unavailable',
};
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
};
const GEMINI_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};
const HTTP_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorDetails {
  status: number;
  message: string;
  /** Machine-readable code, e.g. `invalid_api_key`, `insufficient_quota`. */
  code?: string;
  requestId?: string;
}

/** Builds the JSON error body in the given protocol's shape. */
export function errorBody(protocol: Protocol, e: ErrorDetails): Record<string, unknown> {
  switch (protocol) {
    case 'openai':
      return {
        error: {
          message: e.message,
          // OpenAI reports an exhausted quota as its own type (429 insufficient_quota).
          type:
            e.code === 'insufficient_quota'
              ? 'insufficient_quota'
              : (OPENAI_TYPES[e.status] ?? (e.status >= 500 ? 'server_error' : 'invalid_request_error')),
          param: null,
          code: e.code ?? null,
        },
      };
    case 'anthropic':
      return {
        type: 'error',
        error: {
          type: ANTHROPIC_TYPES[e.status] ?? (e.status >= 500 ? 'api_error' : 'invalid_request_error'),
          message: e.message,
        },
        ...(e.requestId ? { request_id: e.requestId } : {}),
      };
    case 'gemini':
      return {
        error: {
          code: e.status,
          message: e.message,
          status: GEMINI_STATUS[e.status] ?? (e.status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
        },
      };
    default:
      return {
        statusCode: e.status,
        error: HTTP_NAMES[e.status] ?? (e.status >= 500 ? 'Server Error' : 'Error'),
        message: e.message,
        ...(e.code ? { code: e.code } : {}),
        ...(e.requestId ? { requestId: e.requestId } : {}),
      };
  }
}
