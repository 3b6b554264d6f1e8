// The spool file as a crash leaves it: a last line cut in the middle of an append.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { EventSpool } from './event-spool.ts';

const parseJson = (line: string) => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

test('lines are read back in the order appended, and counted', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-spool-'));
  const spool = new EventSpool(path.join(dir, 'events-spool.jsonl'));
  spool.append(['{"id":"1"}', '{"id":"2"}']);
  spool.append(['{"id":"3"}']);
  assert.equal(spool.count(), 3);
  assert.deepEqual(spool.read(parseJson), { lines: ['{"id":"1"}', '{"id":"2"}', '{"id":"3"}'], torn: 0 });
  assert.equal(new EventSpool(spool.path).count(), 3, 'a new process counts what is on disk');
  spool.remove();
  assert.equal(spool.count(), 0);
  assert.equal(spool.exists(), false);
  fs.rmSync(dir, { recursive: true });
});

test('an append after a torn last line loses only the torn line, not the next event', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-spool-'));
  const file = path.join(dir, 'events-spool.jsonl');
  // A crash in the middle of an append: the second event's JSON is cut, no newline after it.
  fs.writeFileSync(file, '{"id":"1"}\n{"id":"2","ty');
  const spool = new EventSpool(file);
  spool.append(['{"id":"3"}']);
  assert.deepEqual(spool.read(parseJson), { lines: ['{"id":"1"}', '{"id":"3"}'], torn: 1 });
  fs.rmSync(dir, { recursive: true });
});
