/** Parses an optional JSON object from a textarea; '' → undefined; throws with a readable message. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> | undefined {
  const s = text.trim();
  if (!s) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    throw new Error(`${what}: invalid JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}: must be a JSON object`);
  return v as Record<string, unknown>;
}

export function prettyJson(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && Object.keys(v as object).length === 0) return '';
  return JSON.stringify(v, null, 2);
}
