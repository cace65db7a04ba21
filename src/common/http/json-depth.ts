import type { NextFunction, Request, Response } from 'express';
import { errorBody, protocolForPath } from './protocol-errors';

/** Deeper JSON than any admin request needs; deeper input would only exhaust the validator's recursion. */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests objects/arrays deeper than `max` (iterative: no recursion to exhaust). */
export function jsonTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Express middleware after the JSON body parser: 400 for bodies nested deeper than MAX_JSON_DEPTH. */
export function rejectDeepJson(req: Request, res: Response, next: NextFunction): void {
  if (req.body && typeof req.body === 'object' && jsonTooDeep(req.body)) {
    const status = 400;
    res.status(status).json(
      errorBody(protocolForPath(req.path), {
        status,
        message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
        code: 'json_too_deep',
      }),
    );
    return;
  }
  next();
}
