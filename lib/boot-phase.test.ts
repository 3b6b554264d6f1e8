import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyEvent, phaseOfFile, startsNewSession } from './boot-phase.ts';

const pxeDiscover = classifyEvent({ source: 'dhcp', type: 'discover', detail: { traits: { vendorClass: 'PXEClient:Arch:00000:UNDI:002001' } } });
const ipxeDiscover = classifyEvent({ source: 'dhcp', type: 'discover', detail: { traits: { ipxe: true, vendorClass: 'PXEClient:Arch:00000:UNDI:002001' } } });
const osDiscover = classifyEvent({ source: 'dhcp', type: 'discover', detail: { traits: { vendorClass: 'udhcp 1.35.0' } } });
const t0 = new Date('2026-11-26T10:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

test('boot files map to the phase they start', () => {
  assert.equal(phaseOfFile('pxelinux.0'), 'bootloader');
  assert.equal(phaseOfFile('pxelinux.cfg/01-52-54-00-00-00-01'), 'bootloader');
  assert.equal(phaseOfFile('images/5f0e/kernel'), 'kernel');
  assert.equal(phaseOfFile('discovery/initrd'), 'initrd');
  assert.equal(phaseOfFile('images/5f0e/rootfs'), 'rootfs');
});

test('agent reports end a boot up or failed', () => {
  assert.deepEqual(classifyEvent({ source: 'agent', type: 'up' }), { phase: 'up', outcome: 'up', discover: null });
  assert.equal(classifyEvent({ source: 'agent', type: 'progress', detail: { phase: 'failed' } }).outcome, 'failed');
  assert.equal(classifyEvent({ source: 'agent', type: 'progress', detail: { phase: 'rootfs-download' } }).phase, 'rootfs');
});

test('a firmware DISCOVER after the boot ended starts a new session', () => {
  assert.equal(startsNewSession(pxeDiscover, { phase: 'up', outcome: 'up', lastEventAt: t0 }, later(5), 600), true);
  assert.equal(startsNewSession(pxeDiscover, { phase: 'rootfs', outcome: 'stalled', lastEventAt: t0 }, later(5), 600), true);
});

test('iPXE chainloaded after the bootloader is the same boot; a reset mid-kernel is a new one', () => {
  assert.equal(startsNewSession(ipxeDiscover, { phase: 'bootloader', outcome: null, lastEventAt: t0 }, later(2), 600), false);
  assert.equal(startsNewSession(ipxeDiscover, { phase: 'kernel', outcome: null, lastEventAt: t0 }, later(2), 600), true);
  assert.equal(startsNewSession(pxeDiscover, { phase: 'dhcp', outcome: null, lastEventAt: t0 }, later(4), 600), false, 'firmware retrying DISCOVER');
  assert.equal(startsNewSession(pxeDiscover, { phase: 'dhcp', outcome: null, lastEventAt: t0 }, later(601), 600), true, 'after a quiet gap');
});

test("the agent's or booted system's own DHCP client never starts a session", () => {
  assert.equal(startsNewSession(osDiscover, { phase: 'up', outcome: 'up', lastEventAt: t0 }, later(5), 600), false);
  assert.equal(startsNewSession(osDiscover, null, later(5), 600), true, 'but a first sighting does');
});

test('DHCPv6 events map onto the same phases: a firmware Solicit starts a boot like a PXE DISCOVER, its Reply is the dhcp phase', () => {
  const firmwareSolicit = classifyEvent({ source: 'dhcp6', type: 'solicit', detail: { traits: { arch: 7, pxe: true } } });
  assert.deepEqual(firmwareSolicit, { phase: 'dhcp', outcome: null, discover: { ipxe: false, pxe: true } });
  assert.equal(startsNewSession(firmwareSolicit, { phase: 'up', outcome: 'up', lastEventAt: t0 }, later(5), 600), true);
  const osSolicit = classifyEvent({ source: 'dhcp6', type: 'solicit', detail: { traits: { duidType: 1 } } });
  assert.equal(startsNewSession(osSolicit, { phase: 'up', outcome: 'up', lastEventAt: t0 }, later(5), 600), false, "the agent's DHCPv6 client is part of the boot");
  assert.deepEqual(classifyEvent({ source: 'dhcp6', type: 'reply', detail: { ip: 'fd77:77::1000' } }), { phase: 'dhcp', outcome: null, discover: null });
  assert.deepEqual(classifyEvent({ source: 'dhcp6', type: 'dropped', detail: { reason: 'no-network' } }), { phase: null, outcome: null, discover: null });
});
