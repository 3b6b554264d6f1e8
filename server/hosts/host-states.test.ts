// The console and bootd read host states from lib/host-states.ts; PostgreSQL keeps them in the
// HostState enum of prisma/schema.prisma. This fails when one gains or loses a word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostState } from '@prisma/client';
import { hostStates } from '../../lib/host-states.ts';

test('lib/host-states.ts lists the words of the HostState enum, in the schema order', () => {
  assert.deepEqual([...hostStates], Object.values(HostState));
});
