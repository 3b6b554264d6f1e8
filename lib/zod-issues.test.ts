import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { firstIssue, issueField } from './zod-issues.ts';

const schema = z.strictObject({ name: z.string(), nic: z.object({ mac: z.string() }).optional() });

test('the field of an issue is its dotted path', () => {
  const r = schema.safeParse({ name: 'a', nic: { mac: 5 } });
  assert.ok(!r.success);
  assert.equal(firstIssue(r.error).field, 'nic.mac');
});

test('an unknown property is named, not the object holding it', () => {
  const r = schema.safeParse({ name: 'a', colour: 'red' });
  assert.ok(!r.success);
  assert.deepEqual(firstIssue(r.error), { field: 'colour', message: r.error.issues[0]!.message });
});

test('an issue about the input as a whole takes the caller\'s word for it', () => {
  const r = schema.safeParse('not an object');
  assert.ok(!r.success);
  assert.equal(firstIssue(r.error).field, 'body');
  assert.equal(issueField(r.error.issues[0]!, 'row'), 'row');
});
