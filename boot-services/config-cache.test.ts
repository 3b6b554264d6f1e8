// The view's indexes (pure): a host is found by MAC, address and name, and a change moves every key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { host } from '../lib/boot/testing/fake-boot-view.ts';
import { ViewIndex } from '../lib/boot/view-index.ts';

test('a host is found by hostname whatever the case; a rename or delete moves the key', () => {
  const v = new ViewIndex();
  v.putHost(host({ id: 'h-1', hostname: 'db03', mac: null, ip: '10.66.0.33' }));
  assert.equal(v.findHostByHostname('DB03')?.id, 'h-1');
  v.putHost(host({ id: 'h-1', hostname: 'db04', mac: null, ip: '10.66.0.33' }));
  assert.equal(v.findHostByHostname('db03'), null, 'the old name is gone');
  assert.equal(v.findHostByHostname('db04')?.id, 'h-1');
  // Names are unique in the database; a rename that frees a name for another host can arrive in either order.
  v.putHost(host({ id: 'h-2', hostname: 'db04', mac: null, ip: null }));
  v.deleteHost('h-1');
  assert.equal(v.findHostByHostname('db04')?.id, 'h-2', 'deleting the old holder leaves the new one');
  assert.equal(ViewIndex.fromSnapshot(v.toSnapshot(null)).findHostByHostname('db04')?.id, 'h-2', 'the snapshot rebuilds the index');
});
