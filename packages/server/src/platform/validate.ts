import type { z } from 'zod';
import { HearthError } from './errors.js';

/** Issues of a failed parse, in the form `VALIDATION_FAILED` details carry: path and message, never the input. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Parses input at the edge; throws VALIDATION_FAILED naming each bad field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = describeIssues(result.error);
    const first = issues[0];
    throw new HearthError('VALIDATION_FAILED', { issues }, first ? (first.path ? `Invalid ${first.path}: ${first.message}` : first.message) : undefined);
  }
  return result.data;
}
