import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimMatch, claimRefusal, identityAfterClaim, usableIdentifier } from './discovery-claim.ts';

const machine = { mac: 'aa:bb:cc:00:00:01', claimedById: null };
const host = { id: 'h-1', hostname: 'web01', mac: null };

test('firmware placeholders are no identifier; real ones are trimmed', () => {
  for (const placeholder of ['', '  ', 'Not Specified', 'To Be Filled By O.E.M.', '0123456789', 'N/A']) assert.equal(usableIdentifier(placeholder), null, placeholder);
  assert.equal(usableIdentifier(undefined), null);
  assert.equal(usableIdentifier(42), null);
  assert.equal(usableIdentifier(' FB-0001 '), 'FB-0001');
});

test('a host without a MAC may claim an unclaimed machine whose MAC nobody holds', () => {
  assert.equal(claimRefusal({ machine, host, holder: null }), null);
  assert.equal(claimRefusal({ machine: { ...machine, claimedById: 'h-1' }, host: { ...host, mac: machine.mac }, holder: { id: 'h-1', hostname: 'web01' } }), null, 'claiming again is no conflict');
});

test('a claim is refused naming the field: claimed by another, the host has another MAC, the MAC is held', () => {
  assert.deepEqual(claimRefusal({ machine: { ...machine, claimedById: 'h-2' }, host, holder: null }), { field: 'mac', message: 'aa:bb:cc:00:00:01 is already claimed by another host' });
  assert.deepEqual(claimRefusal({ machine, host: { ...host, mac: 'aa:bb:cc:00:00:09' }, holder: null }), { field: 'hostId', message: 'web01 already has the MAC aa:bb:cc:00:00:09' });
  assert.deepEqual(claimRefusal({ machine, host, holder: { id: 'h-2', hostname: 'db02' } }), { field: 'mac', message: 'aa:bb:cc:00:00:01 already belongs to db02' });
});

test('the machine\'s serial and asset tag fill only the host\'s empty ones, placeholders never', () => {
  assert.deepEqual(identityAfterClaim({ serial: null, assetTag: null }, { serial: ' S-1 ', assetTag: 'A-1' }), { serial: 'S-1', assetTag: 'A-1' });
  assert.deepEqual(identityAfterClaim({ serial: 'mine', assetTag: null }, { serial: 'S-1', assetTag: 'Not Specified' }), { serial: 'mine', assetTag: null });
  assert.deepEqual(identityAfterClaim({ serial: null, assetTag: null }, null), { serial: null, assetTag: null });
});

test('a waiting host matches a machine by serial, else by asset tag; placeholders match nothing', () => {
  assert.equal(claimMatch({ serial: 'FB-1', assetTag: null }, { serial: ' FB-1 ' }), 'serial');
  assert.equal(claimMatch({ serial: 'other', assetTag: 'AT-7' }, { serial: 'FB-1', assetTag: 'AT-7' }), 'assetTag');
  assert.equal(claimMatch({ serial: 'Not Specified', assetTag: null }, { serial: 'Not Specified' }), null);
  assert.equal(claimMatch({ serial: null, assetTag: null }, {}), null);
});
