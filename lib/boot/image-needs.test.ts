import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageNeeds, unmetNeedsText } from './image-needs.ts';

const artifact = { sha256: 'a'.repeat(64), sizeBytes: 1, path: '/x' };
const role = { name: 'web', rootMode: 'ram' as const, nfsExport: null, diskRoot: null, bootLoader: 'pxelinux' as const, uefiBootChain: 'ipxe' as const };

test('a ram image without its rootfs misses it, and says RAM is known once it is uploaded', () => {
  const needs = imageNeeds(role, { kernel: artifact, initrd: artifact, rootfs: null });
  assert.equal(needs.find((n) => n.key === 'root')?.met, false);
  assert.match(needs.find((n) => n.key === 'root')?.detail ?? '', /Missing: rootfs tarball/);
  assert.match(needs.find((n) => n.key === 'ram')?.detail ?? '', /once the rootfs is uploaded/);
  assert.match(unmetNeedsText(needs), /^ram root: .* Missing: rootfs tarball/);
});

test('a complete ram image says the RAM each host needs', () => {
  const needs = imageNeeds(role, { kernel: artifact, initrd: artifact, rootfs: artifact }, { ramNeedBytes: 1.5 * 1024 ** 3 });
  assert.equal(needs.find((n) => n.key === 'root')?.met, true);
  assert.match(needs.find((n) => n.key === 'ram')?.detail ?? '', /at least 1\.5 GiB of RAM/);
  assert.equal(unmetNeedsText(needs), '');
});

test('an NFS role without its export is unmet; a disk role names its disk root', () => {
  assert.match(imageNeeds({ ...role, rootMode: 'nfs' }, { kernel: artifact, initrd: artifact, rootfs: null }).find((n) => n.key === 'root')?.detail ?? '', /Missing: the role's NFS export/);
  const disk = imageNeeds({ ...role, rootMode: 'disk', diskRoot: '/dev/vda1' }, { kernel: artifact, initrd: artifact, rootfs: null });
  assert.equal(disk.find((n) => n.key === 'root')?.met, true);
  assert.equal(disk.some((n) => n.key === 'ram'), false);
});

test('a Secure Boot role: a refused kernel is unmet, an accepted one met, an unchecked one unknown', () => {
  const sb = { ...role, uefiBootChain: 'secure_boot' as const };
  const image = { kernel: artifact, initrd: artifact, rootfs: artifact };
  assert.equal(imageNeeds(sb, image, { secureBootRefusal: 'no signature' }).find((n) => n.key === 'secure-boot')?.met, false);
  assert.match(unmetNeedsText(imageNeeds(sb, image, { secureBootRefusal: 'no signature' })), /Secure Boot on would refuse its kernel: no signature/);
  assert.equal(imageNeeds(sb, image, { secureBootRefusal: null }).find((n) => n.key === 'secure-boot')?.met, true);
  assert.equal(imageNeeds(sb, image).find((n) => n.key === 'secure-boot')?.met, null);
  assert.match(imageNeeds(sb, image).find((n) => n.key === 'firmware')?.detail ?? '', /shim → GRUB/);
  assert.match(imageNeeds(role, image).find((n) => n.key === 'firmware')?.detail ?? '', /Secure Boot off \(iPXE\)/);
});
