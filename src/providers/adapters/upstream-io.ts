import { Readable } from 'node:stream';

/** The most an upstream body read whole may hold (a non-stream answer is far smaller). */
export const MAX_WHOLE_BODY = 8 * 1024 * 1024;

/**
 * The chunks of an upstream body read whole, up to `limit` bytes: `add` answers the error to fail
 * with once the body is larger, `text` the body as UTF-8. Both whole-body readers use it: `readAll`
 * (a Readable) and the adapters' `dispatch` handler (adapters/http.ts).
 */
export class BodyChunks {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit = MAX_WHOLE_BODY) {}

  add(chunk: Buffer): Error | undefined {
    this.size += chunk.length;
    if (this.size > this.limit) return new Error(`upstream body larger than ${this.limit} bytes`);
    this.chunks.push(chunk);
    return undefined;
  }

  text(): string {
    return (this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks)).toString('utf8');
  }
}

/**
 * Reads a whole (small) upstream body, at most `limit` bytes. Event listeners rather than `for await`:
 * the async iterator machinery was a measurable share of the gateway's per-request CPU.
 */
export function readAll(body: Readable, limit = MAX_WHOLE_BODY): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks = new BodyChunks(limit);
    body.on('data', (c: Buffer | Uint8Array | string) => {
      const b =
        typeof c === 'string'
          ? Buffer.from(c)
          : Buffer.isBuffer(c)
            ? c
            : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      const tooLarge = chunks.add(b);
      if (tooLarge) {
        body.destroy();
        reject(tooLarge);
      }
    });
    body.once('end', () => resolve(chunks.text()));
    body.once('error', reject);
  });
}

/** An upstream body as text: as it is when the adapter read it whole, else read to its end. */
export function bodyText(body: Readable | string): Promise<string> {
  return typeof body === 'string' ? Promise.resolve(body) : readAll(body);
}

/** An upstream body as a stream (one read whole becomes a stream of one chunk). */
export function bodyStream(body: Readable | string): Readable {
  return typeof body === 'string' ? Readable.from([Buffer.from(body)]) : body;
}

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short, secret-free description of a failed upstream answer. */
export function upstreamErrorMessage(status: number, text: string): string {
  const json = tryJson(text) as { error?: { message?: unknown } | string; message?: unknown } | undefined;
  const err = json?.error;
  const msg =
    typeof err === 'string'
      ? err
      : typeof err?.message === 'string'
        ? err.message
        : typeof json?.message === 'string'
          ? json.message
          : text;
  return `${status}: ${String(msg).slice(0, 300)}`;
}

export function describeError(e: unknown): { message: string; timeout: boolean } {
  const err = e as { code?: string; name?: string; message?: string };
  const timeout =
    err?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    err?.code === 'UND_ERR_BODY_TIMEOUT' ||
    err?.code === 'UND_ERR_CONNECT_TIMEOUT' ||
    err?.name === 'TimeoutError';
  return {
    message: `${err?.code ?? err?.name ?? 'error'}: ${String(err?.message ?? e).slice(0, 200)}`,
    timeout,
  };
}
