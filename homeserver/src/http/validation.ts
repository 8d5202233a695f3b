// Maps zod validation failures onto the spec's error codes.
import { Errors, type MatrixError } from '@parley/spec';
import type { z } from 'zod';

function describePath(where: string, path: PropertyKey[]): string {
  return path.length ? `${where} '${path.map(String).join('.')}'` : where;
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function validationError(
  where: 'body' | 'query parameter' | 'path parameter',
  error: z.ZodError,
  input: unknown,
): MatrixError {
  const issue = error.issues[0];
  const target = describePath(where === 'body' ? 'field' : where, issue.path);
  const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  if (missing) {
    return Errors.missingParam(`Missing ${target}`);
  }
  const message = `Invalid ${target}: ${issue.message}`;
  return where === 'body' ? Errors.badJson(message) : Errors.invalidParam(message);
}

export function parseWith<S extends z.ZodType>(
  schema: S | undefined,
  value: unknown,
  where: 'body' | 'query parameter' | 'path parameter',
): z.output<S> {
  if (!schema) return value as z.output<S>;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error, value);
  return result.data;
}
