import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFleet, fleetPhases, fleetStates, uuidOfBase64Url } from './fleet-wire.ts';

const id = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0ff';
const idBase64Url = Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');

test('a host id travels as 22 base64url characters and comes back whole', () => {
  assert.equal(idBase64Url.length, 22);
  assert.equal(uuidOfBase64Url(idBase64Url), id);
});

test('state and phase decode by their index into the shared lists', () => {
  const booting = fleetStates.indexOf('booting');
  const rootfs = fleetPhases.indexOf('rootfs');
  const fleet = decodeFleet({
    afterSeq: '7',
    groups: [
      { roleId: 'r1', name: 'web', hosts: `${idBase64Url} web-01 ${booting}${rootfs} ${idBase64Url} web-02 ${fleetStates.indexOf('up')}` },
      { roleId: null, name: 'No role', hosts: `${idBase64Url} spare-01 ${fleetStates.indexOf('registered')}` },
    ],
  });
  assert.deepEqual(fleet.names, ['web-01', 'web-02', 'spare-01']);
  assert.deepEqual(fleet.state.map((s) => fleetStates[s]), ['booting', 'up', 'registered']);
  assert.deepEqual(fleet.phase, ['rootfs', null, null]);
  assert.deepEqual(fleet.groups, [{ key: 'r1', name: 'web', count: 2 }, { key: 'none', name: 'No role', count: 1 }]);
});

test('every state fits the one digit the wire gives it', () => {
  assert.ok(fleetStates.length <= 10);
});
