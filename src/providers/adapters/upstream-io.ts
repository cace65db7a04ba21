import { Readable } from 'node:stream';

/**
 * Reads a whole (small) upstream body, at most `limit` bytes. Event listeners rather than `for await`:
 * the async iterator machinery was a measurable share of the gateway's per-request CPU.
 */
export function readAll(body: Readable, limit = 8 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (c: Buffer | Uint8Array | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > limit) {
        body.destroy();
        reject(new Error(`upstream body larger than ${limit} bytes`));
        return;
      }
      chunks.push(b as Buffer);
    });
    body.once('end', () =>
      resolve(
        chunks.length === 1
          ? Buffer.from(chunks[0]).toString('utf8')
          : Buffer.concat(chunks).toString('utf8'),
      ),
    );
    body.once('error', reject);
  });
}

/** An upstream body as text: as it is when the adapter read it whole, else read to its end. */
export function bodyText(body: Readable | string, limit?: number): Promise<string> {
  return typeof body === 'string' ? Promise.resolve(body) : readAll(body, limit);
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
