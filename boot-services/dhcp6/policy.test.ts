import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { HostView } from '../../lib/boot/boot-view.ts';
import { labHost, labNetwork, labView } from '../dhcp/testdata/lab-view.ts';
import type { Bind6Result, Dhcp6LeaseStore, Lease6Record } from '../store/dhcp6-leases.ts';
import {
  decodeIaNa, decodeStatus, duidLinkLayer, encodeIaNa, encodeVendorClass, getOption, getOptions, getVendorClass, type Dhcp6ClientMessage, type Dhcp6OptionValue,
} from './codec.ts';
import { Dhcp6MessageType, Dhcp6Option, Dhcp6Status } from './options.ts';
import { Dhcp6Policy, type Dhcp6Outcome } from './policy.ts';
import { directNetworkOf, loadOrCreateServerDuid } from './service.ts';

const serverDuid = Buffer.from('000100012f0000015254000000fe', 'hex');
const v6Network = labNetwork({ ipv6Prefix: 'fd77:77::/64', ipv6PoolStart: 'fd77:77::1000', ipv6PoolEnd: 'fd77:77::1001', ipv6BootServer: 'fd77:77::1' });

/** An in-memory lease store with the PostgreSQL store's semantics (bind moves the client's row, UNIQUE address). */
class MemoryLeases implements Dhcp6LeaseStore {
  readonly rows: Lease6Record[] = [];
  findLease(networkId: string, duid: string, iaid: number) { return this.rows.find((r) => r.networkId === networkId && r.duid === duid && r.iaid === iaid) ?? null; }
  findLeaseByAddress(networkId: string, address: string) { return this.rows.find((r) => r.networkId === networkId && r.address === address) ?? null; }
  async bind(lease: Omit<Lease6Record, 'state'>): Promise<Bind6Result> {
    const holder = this.findLeaseByAddress(lease.networkId, lease.address);
    if (holder && !(holder.duid === lease.duid && holder.iaid === lease.iaid)) return { kind: 'taken' };
    const mine = this.findLease(lease.networkId, lease.duid, lease.iaid);
    if (mine) this.rows.splice(this.rows.indexOf(mine), 1);
    const row: Lease6Record = { ...lease, state: 'bound' };
    this.rows.push(row);
    return { kind: 'bound', lease: row };
  }
  markLease(networkId: string, duid: string, iaid: number, address: string, state: 'released' | 'declined') {
    const r = this.findLease(networkId, duid, iaid);
    if (r && r.address === address) r.state = state;
  }
  async close() { /* nothing held */ }
}

function setup(opts: { hosts?: HostView[] } = {}) {
  const view = labView({ networks: [v6Network], hosts: opts.hosts ?? [] });
  const leases = new MemoryLeases();
  const policy = new Dhcp6Policy({ view, leases, serverDuid, directNetwork: () => view.findNetworkById(v6Network.id), serverAddress6: 'fd77:77::1', httpPort: 8080, now: () => 1_000_000 });
  return { policy, leases };
}

function message(type: Dhcp6MessageType, mac: string, extra: Dhcp6OptionValue[] = [], ia: { iaid: number; addresses?: string[] } | null = { iaid: 1 }): Dhcp6ClientMessage {
  const options: Dhcp6OptionValue[] = [{ code: Dhcp6Option.ClientId, value: duidLinkLayer(mac) }];
  if (ia) options.push({ code: Dhcp6Option.IaNa, value: encodeIaNa({ iaid: ia.iaid, t1Seconds: 0, t2Seconds: 0, options: [], addresses: (ia.addresses ?? []).map((address) => ({ address, preferredSeconds: 0, validSeconds: 0, options: [] })) }) });
  return { kind: 'client', msgType: type, transactionId: 0x123456, options: [...options, ...extra] };
}

async function replied(o: Dhcp6Outcome | Promise<Dhcp6Outcome>): Promise<Dhcp6ClientMessage> {
  const outcome = await o;
  if (outcome.result !== 'replied') assert.fail(`not replied: ${outcome.reason}`);
  return outcome.reply;
}

const serverIdOption = { code: Dhcp6Option.ServerId, value: serverDuid };
const addressesOf = (m: Dhcp6ClientMessage) => getOptions(m.options, Dhcp6Option.IaNa).flatMap((v) => decodeIaNa(v)!.addresses.map((a) => a.address));

test('Solicit → Advertise with a held pool address, preference 255 and our DUID; Request → Reply binds it', async () => {
  const { policy, leases } = setup();
  const adv = await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:01'), { relays: [] }));
  assert.equal(adv.msgType, Dhcp6MessageType.Advertise);
  assert.deepEqual(getOption(adv.options, Dhcp6Option.ServerId), serverDuid);
  assert.deepEqual(getOption(adv.options, Dhcp6Option.Preference), Buffer.from([255]));
  assert.deepEqual(addressesOf(adv), ['fd77:77::1000']);
  // The held address is not advertised to another client meanwhile.
  const other = await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:02'), { relays: [] }));
  assert.deepEqual(addressesOf(other), ['fd77:77::1001']);
  const reply = await replied(policy.handle(message(Dhcp6MessageType.Request, '52:54:00:00:10:01', [serverIdOption]), { relays: [] }));
  assert.equal(reply.msgType, Dhcp6MessageType.Reply);
  assert.deepEqual(addressesOf(reply), ['fd77:77::1000']);
  assert.deepEqual(leases.rows.map((r) => [r.address, r.mac, r.state]), [['fd77:77::1000', '52:54:00:00:10:01', 'bound']]);
});

test('a pool with no address left: the IA carries NoAddrsAvail', async () => {
  const { policy } = setup();
  await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:01'), { relays: [] }));
  await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:02'), { relays: [] }));
  const full = await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:03'), { relays: [] }));
  const ia = decodeIaNa(getOption(full.options, Dhcp6Option.IaNa)!)!;
  assert.equal(decodeStatus(getOption(ia.options, Dhcp6Option.StatusCode))?.code, Dhcp6Status.NoAddrsAvail);
});

test('RFC 8415 §16: a Request for another server, or a Solicit naming a server, is not answered', async () => {
  const { policy } = setup();
  const otherServer = { code: Dhcp6Option.ServerId, value: Buffer.from('0003000152540000ffff', 'hex') };
  assert.deepEqual((await policy.handle(message(Dhcp6MessageType.Request, '52:54:00:00:10:01', [otherServer]), { relays: [] })).result, 'ignored');
  const o = await policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:01', [serverIdOption]), { relays: [] });
  assert.equal(o.result === 'ignored' && o.reason, 'server-id-in-multicast-message');
  const noId = await policy.handle({ kind: 'client', msgType: Dhcp6MessageType.Solicit, transactionId: 1, options: [] }, { relays: [] });
  assert.equal(noId.result === 'ignored' && noId.reason, 'no-client-id');
});

test('UEFI PXE (arch 7) gets tftp://[bootd]/grubx64.efi; UEFI HTTP boot (arch 16) an http URL and "HTTPClient" back', async () => {
  const { policy } = setup();
  const pxe = await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:01', [{ code: Dhcp6Option.ClientArchType, value: Buffer.from([0, 7]) }, { code: Dhcp6Option.OptionRequest, value: Buffer.from([0, 59, 0, 60]) }]), { relays: [] }));
  assert.equal(getOption(pxe.options, Dhcp6Option.BootfileUrl)?.toString(), 'tftp://[fd77:77::1]/grubx64.efi');
  const http = await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:02', [
    { code: Dhcp6Option.ClientArchType, value: Buffer.from([0, 16]) },
    { code: Dhcp6Option.VendorClass, value: encodeVendorClass({ enterprise: 343, classes: ['HTTPClient:Arch:00016:UNDI:003001'] }) },
  ]), { relays: [] }));
  assert.equal(getOption(http.options, Dhcp6Option.BootfileUrl)?.toString(), 'http://[fd77:77::1]:8080/grubx64.efi');
  assert.deepEqual(getVendorClass(http.options), { enterprise: 343, classes: ['HTTPClient'] });
  // A plain OS client (no option 61, no ORO 59) gets no boot file.
  const os6 = await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:10:03'), { relays: [] }));
  assert.equal(getOption(os6.options, Dhcp6Option.BootfileUrl), null);
});

test('a reserved host gets its IPv6 address from its MAC: RFC 6939 option 79 from the relay beats the DUID', async () => {
  const host = labHost({ mac: '52:54:00:00:20:01', ipv6: 'fd77:77::21', networkId: v6Network.id });
  const { policy } = setup({ hosts: [host] });
  const duidMac = await replied(policy.handle(message(Dhcp6MessageType.Solicit, '52:54:00:00:20:01'), { relays: [] }));
  assert.deepEqual(addressesOf(duidMac), ['fd77:77::21']);
  // A DUID-EN says nothing of the MAC; the relay's option 79 does.
  const en: Dhcp6ClientMessage = { kind: 'client', msgType: Dhcp6MessageType.Solicit, transactionId: 9, options: [{ code: Dhcp6Option.ClientId, value: Buffer.from('00020000000901020304', 'hex') }, { code: Dhcp6Option.IaNa, value: encodeIaNa({ iaid: 1, t1Seconds: 0, t2Seconds: 0, addresses: [], options: [] }) }] };
  const relay = { kind: 'relay' as const, msgType: Dhcp6MessageType.RelayForw as const, hopCount: 0, linkAddress: 'fd77:77::fe', peerAddress: 'fe80::1', options: [{ code: Dhcp6Option.ClientLinkLayerAddress, value: Buffer.from('0001525400002001', 'hex') }], inner: en };
  const viaRelay = await replied(policy.handle(en, { relays: [relay] }));
  assert.deepEqual(addressesOf(viaRelay), ['fd77:77::21']);
});

test('Confirm says whether the addresses are on this link; Information-request gets configuration without an IA', async () => {
  const { policy } = setup();
  const onLink = await replied(policy.handle(message(Dhcp6MessageType.Confirm, '52:54:00:00:10:01', [], { iaid: 1, addresses: ['fd77:77::1234'] }), { relays: [] }));
  assert.equal(decodeStatus(getOption(onLink.options, Dhcp6Option.StatusCode))?.code, Dhcp6Status.Success);
  const moved = await replied(policy.handle(message(Dhcp6MessageType.Confirm, '52:54:00:00:10:01', [], { iaid: 1, addresses: ['fd99::1'] }), { relays: [] }));
  assert.equal(decodeStatus(getOption(moved.options, Dhcp6Option.StatusCode))?.code, Dhcp6Status.NotOnLink);
  const info = await replied(policy.handle(message(Dhcp6MessageType.InformationRequest, '52:54:00:00:10:01', [{ code: Dhcp6Option.OptionRequest, value: Buffer.from([0, 24]) }], null), { relays: [] }));
  assert.equal(getOption(info.options, Dhcp6Option.IaNa), null);
  assert.deepEqual(getOption(info.options, Dhcp6Option.DomainList), Buffer.from('036c6162076578616d706c6500', 'hex'));
});

test('Renew of an IA we have no binding for gets NoBinding; Release marks the lease released', async () => {
  const { policy, leases } = setup();
  const renew = await replied(policy.handle(message(Dhcp6MessageType.Renew, '52:54:00:00:10:01', [serverIdOption], { iaid: 1, addresses: ['fd77:77::1000'] }), { relays: [] }));
  const ia = decodeIaNa(getOption(renew.options, Dhcp6Option.IaNa)!)!;
  assert.equal(decodeStatus(getOption(ia.options, Dhcp6Option.StatusCode))?.code, Dhcp6Status.NoBinding);
  await replied(policy.handle(message(Dhcp6MessageType.Request, '52:54:00:00:10:01', [serverIdOption]), { relays: [] }));
  await replied(policy.handle(message(Dhcp6MessageType.Release, '52:54:00:00:10:01', [serverIdOption], { iaid: 1, addresses: ['fd77:77::1000'] }), { relays: [] }));
  assert.equal(leases.rows[0]?.state, 'released');
});

test("bootd's DUID is made once and read back the same after a restart; the direct network is the one holding bootd's IPv6 address", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-duid-'));
  try {
    const first = loadOrCreateServerDuid(dir, 'lo');
    assert.deepEqual(loadOrCreateServerDuid(dir, 'lo', Date.now() + 86_400_000), first);
    assert.ok(first.length >= 10);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const plain = labNetwork();
  assert.equal(directNetworkOf([plain, v6Network], 'fd77:77::1', null), v6Network);
  assert.equal(directNetworkOf([plain], null, plain), null, 'no IPv6 prefix: no DHCPv6 on the link');
});
