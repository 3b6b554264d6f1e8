import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostView, ImageView, RoleView } from '../../lib/boot/boot-view.ts';
import { neededArtifacts } from './needed-artifacts.ts';

const sha = (c: string) => c.repeat(64);
const image = (id: string, roleId: string, status: string, k: string): ImageView => ({
  id, roleId, version: id, status, kernel: { sha256: sha(k), sizeBytes: 10, path: `/console/${k}` }, initrd: { sha256: sha('f'), sizeBytes: 5, path: '/console/f' }, rootfs: null,
});
const role = (id: string, activeImageId: string | null, previousImageId: string | null = null): RoleView => ({
  id, name: id, rootMode: 'ram', bootLoader: 'ipxe', uefiBootChain: 'ipxe', cmdlineTemplate: '', nfsExport: null, diskRoot: null, healthCheck: null, activeImageId, previousImageId, stallSeconds: 300,
});
const host = (roleId: string | null, imageOverrideId: string | null = null): HostView => ({
  id: `h-${roleId}-${imageOverrideId}`, hostname: 'h', mac: null, ip: null, networkId: null, roleId, spare: false, bootEnabled: true, imageOverrideId, bootOverride: null, state: 'registered',
});

test('a served role\'s active, previous, staged and ready images are needed; active, previous and staged pinned, ready not', () => {
  const needs = neededArtifacts({
    hosts: () => [host('web')],
    roles: () => [role('web', 'act', 'prev')],
    images: () => [image('act', 'web', 'active', 'a'), image('prev', 'web', 'retired', 'b'), image('try', 'web', 'trial', 'c'), image('new', 'web', 'ready', 'd'), image('old', 'web', 'retired', 'e'), image('up', 'web', 'uploading', '1')],
  });
  const byKernel = Object.fromEntries(needs.filter((n) => n.sha256 !== sha('f')).map((n) => [n.sha256[0], n.pinned]));
  assert.deepEqual(byKernel, { a: true, b: true, c: true, d: false });
  assert.equal(needs.filter((n) => n.sha256 === sha('f')).length, 1, 'an initrd shared by images is needed once');
  assert.equal(needs.find((n) => n.sha256 === sha('f'))!.pinned, true, 'pinned when any image needing it is');
  assert.deepEqual(needs.map((n) => n.pinned), [...needs.map((n) => n.pinned)].sort((x, y) => Number(y) - Number(x)), 'pinned first');
  assert.match(needs.find((n) => n.sha256 === sha('a'))!.why, /^kernel of web act \(active\)$/);
});

test('roles no host of this boot server has are not needed; a host\'s image override is, pinned', () => {
  const needs = neededArtifacts({
    hosts: () => [host(null, 'cand')],
    roles: () => [role('web', 'act'), role('db', 'dbi')],
    images: () => [image('act', 'web', 'active', 'a'), image('dbi', 'db', 'active', 'b'), image('cand', 'db', 'ready', 'c')],
  });
  assert.deepEqual(needs.map((n) => [n.sha256[0], n.pinned]).sort(), [['c', true], ['f', true]]);
});
