import { Dropped, isRecord, type JsonObject } from './util';

/**
 * JSON Schema ⇄ Gemini `Schema` (an OpenAPI 3.0 subset).
 *
 * Gemini rejects keywords outside its subset, so encoding keeps only those, turns `type: [T, "null"]`
 * into `nullable`, `const` into `enum`, `oneOf` into `anyOf` and inlines local `$ref`s. Every other
 * constraint keyword is reported in `dropped` as `<context>.<keyword>`; pure annotations (`$schema`,
 * `$id`, `$comment`, `$defs`/`definitions` once inlined) carry no constraint and are removed quietly.
 */
const GEMINI_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$defs', 'definitions']);
const MAX_REF_DEPTH = 16;

export function toGeminiSchema(schema: JsonObject, context: string, dropped: Dropped): JsonObject {
  const defs = { ...asRecord(schema.definitions), ...asRecord(schema.$defs) };
  return convert(schema, 0);

  function resolve(ref: string): JsonObject | undefined {
    const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    const target = m ? defs[m[1]] : undefined;
    return isRecord(target) ? target : undefined;
  }

  function convert(node: JsonObject, depth: number): JsonObject {
    if (typeof node.$ref === 'string') {
      const target = depth < MAX_REF_DEPTH ? resolve(node.$ref) : undefined;
      if (!target) {
        dropped.add(`${context}.$ref`);
        return { type: 'object' };
      }
      const { $ref: _ref, ...rest } = node;
      return convert({ ...target, ...rest }, depth + 1);
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'type' && Array.isArray(value)) {
        const types = value.filter((t): t is string => typeof t === 'string');
        const nonNull = types.filter((t) => t !== 'null');
        if (nonNull.length < types.length) out.nullable = true;
        if (nonNull.length === 1) out.type = nonNull[0];
        else if (nonNull.length > 1) out.anyOf = nonNull.map((t) => ({ type: t }));
      } else if (key === 'const') {
        out.enum = [value];
      } else if (key === 'oneOf' && Array.isArray(value)) {
        out.anyOf = value.filter(isRecord).map((s) => convert(s, depth + 1));
      } else if (key === 'properties' && isRecord(value)) {
        const props: JsonObject = {};
        for (const [name, s] of Object.entries(value)) props[name] = isRecord(s) ? convert(s, depth + 1) : s;
        out.properties = props;
      } else if (key === 'items') {
        const first: unknown = Array.isArray(value) ? value[0] : value;
        if (Array.isArray(value)) dropped.add(`${context}.items[]`);
        if (isRecord(first)) out.items = convert(first, depth + 1);
      } else if (key === 'anyOf' && Array.isArray(value)) {
        out.anyOf = value.filter(isRecord).map((s) => convert(s, depth + 1));
      } else if (GEMINI_KEYS.has(key)) {
        out[key] = value;
      } else if (!ANNOTATIONS.has(key)) {
        dropped.add(`${context}.${key}`);
      }
    }
    return out;
  }
}

/** Gemini `Schema` → JSON Schema: lower-case type names, `nullable` → `type: [T, "null"]`. */
export function fromGeminiSchema(schema: JsonObject): JsonObject {
  const out: JsonObject = {};
  const nullable = schema.nullable === true;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') continue;
    if (key === 'type' && typeof value === 'string') {
      const t = value.toLowerCase();
      out.type = nullable ? [t, 'null'] : t;
    } else if (key === 'properties' && isRecord(value)) {
      const props: JsonObject = {};
      for (const [name, s] of Object.entries(value)) props[name] = isRecord(s) ? fromGeminiSchema(s) : s;
      out.properties = props;
    } else if (key === 'items' && isRecord(value)) {
      out.items = fromGeminiSchema(value);
    } else if (key === 'anyOf' && Array.isArray(value)) {
      out.anyOf = value.map((s) => (isRecord(s) ? fromGeminiSchema(s) : s));
    } else {
      out[key] = value;
    }
  }
  if (nullable && out.type === undefined) out.nullable = true;
  return out;
}

function asRecord(v: unknown): JsonObject {
  return isRecord(v) ? v : {};
}
