import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getUint32Option, type DhcpPacket } from './codec.ts';
import { MemoryLeaseStore, leaseReuseFraction, reusableBinding, type BindRequest } from './lease-store.ts';
import type { LeaseRecord } from '../store/dhcp-leases.ts';
import { DhcpOption, MessageType } from '../../lib/dhcp/options.ts';
import { DhcpPolicy, type PolicyOutcome } from './policy.ts';
import { clientRequest, labNetwork, labView, serverAddress } from './testdata/lab-view.ts';

const network = labNetwork();
const mac = '52:54:00:00:07:01';
const t0 = 1_000_000_000;
const bound: LeaseRecord = { networkId: network.id, ip: '10.66.0.100', mac, state: 'bound', expiresAtMs: t0 + 3_600_000, clientId: null, hostname: null };
const again = (over: Partial<BindRequest> = {}): BindRequest => ({ network, mac, ip: '10.66.0.100', leaseSeconds: 3600, clientId: null, hostname: null, nowMs: t0, mayReuse: true, ...over });

test('a binding is reused while it is younger than the fraction of its length and nothing changed', () => {
  assert.equal(reusableBinding(bound, again(), 0.25), true);
  assert.equal(reusableBinding(bound, again({ nowMs: t0 + 900_000 }), 0.25), true, '15 minutes of 60: reused');
  assert.equal(reusableBinding(bound, again({ nowMs: t0 + 900_001 }), 0.25), false, 'older than a quarter: written again');
  assert.equal(reusableBinding(bound, again({ hostname: 'web01' }), 0.25), false, 'a new hostname is written');
  assert.equal(reusableBinding(bound, again({ clientId: '01aabbcc' }), 0.25), false, 'a new client id is written');
  assert.equal(reusableBinding(bound, again({ ip: '10.66.0.101' }), 0.25), false, 'another address');
  assert.equal(reusableBinding(bound, again({ leaseSeconds: 600 }), 0.25), false, 'never more time than the lease it would get now');
  assert.equal(reusableBinding({ ...bound, state: 'released' }, again(), 0.25), false);
  assert.equal(reusableBinding(bound, again(), 0), false, '0 turns reuse off');
  assert.equal(reusableBinding(bound, again({ mayReuse: false }), 0.25), false, 'a renewal asks for more time');
});

test('FLEETBOOT_DHCP_LEASE_REUSE_FRACTION is checked', () => {
  assert.equal(leaseReuseFraction({}), 0.25);
  assert.equal(leaseReuseFraction({ FLEETBOOT_DHCP_LEASE_REUSE_FRACTION: '0' }), 0);
  assert.throws(() => leaseReuseFraction({ FLEETBOOT_DHCP_LEASE_REUSE_FRACTION: '0.9' }), /from 0 to 0.5/);
  assert.throws(() => leaseReuseFraction({ FLEETBOOT_DHCP_LEASE_REUSE_FRACTION: 'soon' }), /from 0 to 0.5/);
});

test('an ACK from a reused binding grants the time left on the stored lease, not a fresh one', async () => {
  let now = t0;
  const leases = new MemoryLeaseStore();
  const policy = new DhcpPolicy({ view: labView(), leases, config: { serverAddress, httpBaseUrl: 'http://x' }, now: () => now });
  const ack = async (): Promise<DhcpPacket> => {
    const o: PolicyOutcome = await policy.handle(clientRequest({ type: MessageType.Request, mac, serverId: serverAddress, requestedIp: '10.66.0.100' }));
    assert.ok(o.result === 'replied' && o.replyType === MessageType.Ack, 'expected an ACK');
    return o.reply;
  };
  policy.handle(clientRequest({ type: MessageType.Discover, mac }));
  assert.equal(getUint32Option(await ack(), DhcpOption.IpAddressLeaseTime), 3600);
  now += 600_000;
  const reused = await ack();
  assert.equal(getUint32Option(reused, DhcpOption.IpAddressLeaseTime), 3000, 'ten minutes later: 50 minutes left');
  assert.equal(getUint32Option(reused, DhcpOption.RenewalTime), 1500);
  assert.equal(leases.findLeaseByMac(network.id, mac)?.expiresAtMs, t0 + 3_600_000, 'the stored lease is unchanged');
  now += 600_000;
  assert.equal(getUint32Option(await ack(), DhcpOption.IpAddressLeaseTime), 3600, 'past a quarter of the lease: written anew');
  assert.equal(leases.findLeaseByMac(network.id, mac)?.expiresAtMs, now + 3_600_000);
  now += 60_000;
  const renewing = await policy.handle(clientRequest({ type: MessageType.Request, mac, ciaddr: '10.66.0.100' }));
  assert.ok(renewing.result === 'replied' && getUint32Option(renewing.reply, DhcpOption.IpAddressLeaseTime) === 3600, 'a RENEWING client gets a fresh lease');
  assert.equal(leases.findLeaseByMac(network.id, mac)?.expiresAtMs, now + 3_600_000);
});
