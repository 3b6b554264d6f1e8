import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeBootView, host } from '../lib/boot/testing/fake-boot-view.ts';
import { ClientHosts } from './client-hosts.ts';

const reserved = host({ id: 'h-1', hostname: 'web01', mac: '52:54:00:00:00:01', ip: '10.66.0.11' });
const pooled = host({ id: 'h-2', hostname: 'web02', mac: '52:54:00:00:00:02', ip: null });

function fleet(): FakeBootView {
  const view = new FakeBootView();
  view.hosts = [reserved, pooled];
  return view;
}

/** A lease table whose answers the test releases by hand. */
function leaseTable(leases: Record<string, string>) {
  const asked: string[] = [];
  const pending: Array<() => void> = [];
  return {
    asked,
    answerAll: () => pending.splice(0).forEach((answer) => answer()),
    findLeaseHolderMac: (ip: string) => {
      asked.push(ip);
      return new Promise<string | null>((resolve) => pending.push(() => resolve(leases[ip] ?? null)));
    },
  };
}

const flush = () => new Promise((r) => setImmediate(r));

test('a reserved address is its host at once, without asking the lease table', () => {
  const leases = leaseTable({});
  const senders = new ClientHosts({ view: fleet(), findLeaseHolderMac: leases.findLeaseHolderMac });
  let got: string | null | undefined;
  senders.whenKnown('10.66.0.11', (c) => (got = c.host?.hostname ?? null));
  assert.equal(got, 'web01');
  assert.deepEqual(leases.asked, []);
});

test('a pool-leased address is the host of the MAC holding the lease; its lines keep their order and the answer is remembered', async () => {
  const leases = leaseTable({ '10.66.0.100': '52:54:00:00:00:02' });
  let nowMs = 0;
  const senders = new ClientHosts({ view: fleet(), findLeaseHolderMac: leases.findLeaseHolderMac, now: () => nowMs, leaseMemoMs: 30_000 });
  const delivered: string[] = [];
  for (const line of ['one', 'two', 'three']) senders.whenKnown('10.66.0.100', (c) => delivered.push(`${c.host?.hostname}:${line}`));
  assert.equal(delivered.length, 0, 'waiting for the lease table');
  assert.deepEqual(leases.asked, ['10.66.0.100'], 'asked once for the three');
  leases.answerAll();
  await flush();
  assert.deepEqual(delivered, ['web02:one', 'web02:two', 'web02:three']);
  senders.whenKnown('10.66.0.100', (c) => delivered.push(`${c.host?.hostname}:four`));
  assert.equal(delivered.at(-1), 'web02:four', 'remembered: delivered at once');
  nowMs = 31_000;
  senders.whenKnown('10.66.0.100', (c) => delivered.push(`${c.host?.hostname}:five`));
  assert.deepEqual(leases.asked, ['10.66.0.100', '10.66.0.100'], 'asked again once the memo is old');
});

test('an address nobody holds is an unknown sender; a failed lookup too, and is asked again next time', async () => {
  const errors: string[] = [];
  let fail = true;
  const senders = new ClientHosts({
    view: fleet(),
    findLeaseHolderMac: async () => {
      if (fail) throw new Error('database away');
      return null;
    },
    onLookupError: (ip, err) => errors.push(`${ip}: ${err.message}`),
  });
  const got: Array<string | null> = [];
  senders.whenKnown('10.66.0.120', (c) => got.push(c.host?.hostname ?? null));
  await flush();
  fail = false;
  senders.whenKnown('10.66.0.120', (c) => got.push(c.host?.hostname ?? null));
  await flush();
  assert.deepEqual(got, [null, null]);
  assert.deepEqual(errors, ['10.66.0.120: database away']);
});

test('past maxLookups in flight a new sender is unknown at once (a flood of spoofed addresses waits for nothing)', () => {
  const leases = leaseTable({});
  const senders = new ClientHosts({ view: fleet(), findLeaseHolderMac: leases.findLeaseHolderMac, maxLookups: 2 });
  const got: Array<string | null> = [];
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) senders.whenKnown(ip, (c) => got.push(c.host?.hostname ?? null));
  assert.deepEqual(got, [null]);
  assert.deepEqual(leases.asked, ['10.0.0.1', '10.0.0.2']);
});

test('without a lease table only reservations are known', () => {
  const senders = new ClientHosts({ view: fleet() });
  let got: string | null | undefined;
  senders.whenKnown('10.66.0.100', (c) => (got = c.host?.hostname ?? null));
  assert.equal(got, null);
});

test('with bootd\'s own lease book a pool-leased address is its host at once, an unknown machine keeps its MAC, and the Lease table is never asked', () => {
  const leases = leaseTable({});
  const clients = new ClientHosts({ view: fleet(), findLeaseHolderMac: leases.findLeaseHolderMac });
  const book: Record<string, string> = { '10.66.0.100': '52:54:00:00:00:02', '10.66.0.101': '52:54:00:00:00:99' };
  clients.useLeaseBook((ip) => book[ip] ?? null);
  assert.deepEqual(clients.knownNow('10.66.0.100'), { host: pooled, mac: '52:54:00:00:00:02', by: 'lease' });
  assert.deepEqual(clients.knownNow('10.66.0.101'), { host: null, mac: '52:54:00:00:00:99', by: 'lease' });
  assert.deepEqual(clients.knownNow('10.66.0.102'), { host: null, mac: null, by: 'unknown' });
  assert.deepEqual(leases.asked, []);
});

test('with bootd\'s DHCPv4 lease book in use, an IPv6 pool address is still looked up in the lease table (Lease6), not taken for unknown', async () => {
  const leases = leaseTable({ 'fd77:77::1000': '52:54:00:00:00:02' });
  const clients = new ClientHosts({ view: fleet(), findLeaseHolderMac: leases.findLeaseHolderMac });
  clients.useLeaseBook(() => null);
  assert.equal(clients.knownNow('fd77:77::1000'), undefined, 'must ask the lease table');
  const got = clients.identify('fd77:77::1000');
  leases.answerAll();
  assert.deepEqual(await got, { host: pooled, mac: '52:54:00:00:00:02', by: 'lease' });
  assert.deepEqual(leases.asked, ['fd77:77::1000']);
});

test('an address the boot agent authenticated from is its MAC\'s host (or the host it was identified as by name) until the memo ends', () => {
  let nowMs = 0;
  const clients = new ClientHosts({ view: fleet(), now: () => nowMs, agentMemoMs: 60_000 });
  clients.noteAgent('10.66.0.150', '52:54:00:00:00:02', null);
  clients.noteAgent('10.66.0.151', '52:54:00:00:00:77', 'h-2');
  assert.equal(clients.knownNow('10.66.0.150')?.host?.hostname, 'web02');
  assert.deepEqual(clients.knownNow('10.66.0.151'), { host: pooled, mac: '52:54:00:00:00:77', by: 'agent' });
  nowMs = 61_000;
  assert.equal(clients.knownNow('10.66.0.150')?.by, 'unknown');
});

test('settle waits for the lookups in flight, so answers held back by them are handed on before bootd closes its event writer', async () => {
  const leases = leaseTable({ '10.66.0.100': '52:54:00:00:00:02' });
  const clients = new ClientHosts({ view: fleet(), findLeaseHolderMac: leases.findLeaseHolderMac });
  const got: string[] = [];
  for (let i = 0; i < 3; i++) clients.whenKnown('10.66.0.100', (c) => got.push(c.host?.hostname ?? 'unknown'));
  const settled = clients.settle(60_000);
  await flush();
  assert.deepEqual(got, [], 'nothing before the lease table answers');
  leases.answerAll();
  await settled;
  assert.deepEqual(got, ['web02', 'web02', 'web02']);
  await clients.settle(60_000); // nothing in flight: resolves at once
});

test('settle hands on a lookup that hangs past its time as unknown, once', async () => {
  const leases = leaseTable({ '10.66.0.100': '52:54:00:00:00:02' });
  const clients = new ClientHosts({ view: fleet(), findLeaseHolderMac: leases.findLeaseHolderMac });
  const got: string[] = [];
  clients.whenKnown('10.66.0.100', (c) => got.push(c.by));
  clients.whenKnown('10.66.0.100', (c) => got.push(c.by));
  await clients.settle(20);
  assert.deepEqual(got, ['unknown', 'unknown']);
  leases.answerAll();
  await flush();
  assert.deepEqual(got, ['unknown', 'unknown'], 'the late answer delivers nothing twice');
});
