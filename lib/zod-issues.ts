// Which field a zod validation error is about, in the words the API answers with
// (`{ error, field }`) and the CSV import and boot agent API report: one reading for all.
import type { z } from 'zod';

type Issue = z.ZodError['issues'][number];

/**
 * The field an issue is about (dotted path); for an unknown property, that property (a strict
 * schema's path is the object's); `whole` when it is about the input as a whole.
 */
export function issueField(issue: Issue, whole = 'body'): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]!);
  return path.join('.') || whole;
}

/** The first problem of an error, as field and message ("phase", "Invalid option …"). */
export function firstIssue(err: z.ZodError, whole = 'body'): { field: string; message: string } {
  const issue = err.issues[0];
  return issue ? { field: issueField(issue, whole), message: issue.message } : { field: whole, message: 'invalid' };
}
