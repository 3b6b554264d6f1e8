// bootd on the replicated database (deploy/patroni/: etcd, three Patroni-managed PostgreSQL 15
// nodes, synchronous replication, HAProxy in front), serving a bounded DHCP storm of real ISC
// dhclient clients in network namespaces (two waves of 10) while the primary's postmaster gets kill -9, and
// again through a planned `patronictl switchover`. Every client ends with a lease, no address
// is held by two clients, and each client's address is its own Lease row on the new primary
// (a binding is committed, synchronously replicated, before its ACK). bootd's change-log
// follower reconnects by itself (its LISTEN connection was cut): a host reserved on the new
// primary is answered with its reserved address, and one reserved just before the kill too.
// bootd reaches HAProxy over a unix socket: the namespaces have their own loopback.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { migrate } from '../../../server/db/migrate.ts';
import { patroniClusterMissing, queryPrimary, startPatroniCluster, type PatroniCluster } from '../../../server/testing/patroni-cluster.ts';
import { until } from '../../../server/testing/until.ts';
import { DhcpLab, dhcpLabSkipReason, ids, sleep, type BootdProcess, type DhcpClientResult } from './dhcp-lab.ts';

const skip = patroniClusterMissing() ?? dhcpLabSkipReason() ?? false;
if (skip) console.log(`# skipped: ${skip}`);

/** Bounded storm per event: this many clients in two waves; each dhclient gives up after 60 s. */
const waveClients = 10;
const clientTimeoutMs = 60_000;
/** dhclient retransmits every 1-2 s (its default backoff would wait up to a minute). */
const dhclientConf = 'initial-interval 1;\nbackoff-cutoff 2;\n';

let cluster: PatroniCluster | null = null;
let lab: DhcpLab | null = null;
let bootd: BootdProcess;

before(async () => {
  if (skip) return;
  cluster = await startPatroniCluster({ unixSocket: true });
  await migrate(cluster.url);
  lab = await DhcpLab.start({ databaseUrl: cluster.socketUrl! });
  // Room for both storms and the reserved hosts: 100 pool addresses.
  await lab.pool.query(`UPDATE "Network" SET "poolStart" = '10.66.0.100', "poolEnd" = '10.66.0.199', "updatedAt" = now() WHERE id = $1`, [ids.lab]);
  bootd = await lab.startBootd();
}, { timeout: 400_000 });
after(async () => {
  await lab?.dispose();
  await cluster?.stop();
});

const mac = (storm: number, i: number) => `52:54:00:79:${storm.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`;

const onPrimary = <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => queryPrimary<R>(cluster!.url, sql, params);

async function reserve(hostname: string, hostMac: string, ip: string): Promise<void> {
  await onPrimary(
    `INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "roleId", "bootEnabled", "updatedAt") VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, true, now())`,
    [hostname, hostMac, ip, ids.lab, ids.role]);
}

/**
 * Wave 1 of dhclient clients; once bootd has ACKed `ackBefore` of them, `event`; wave 2 right
 * after; then every client's result, checked against the Lease rows on the (new) primary.
 */
async function stormThrough(storm: number, event: () => Promise<void>): Promise<{ got: Map<string, DhcpClientResult>; ackedBeforeEvent: number; seconds: number; unavailable: number }> {
  const l = lab!;
  const results = new Map<string, Promise<DhcpClientResult>>();
  // Every client's namespace first (ip commands, slow on a loaded box), so that wave 1 starts
  // at once and the event meets it mid-way.
  const clients = new Map(Array.from({ length: 2 * waveClients }, (_, i) => [mac(storm, i), l.addClient(mac(storm, i))] as const));
  const start = (m: string) => results.set(m, l.dhclient(clients.get(m)!, { conf: dhclientConf, timeoutMs: clientTimeoutMs }));
  const acks = () => bootd.metric('fleetboot_dhcp_packets_total', { type: 'request', result: 'replied', reason: 'ack' });
  const acksAtStart = acks();
  const unavailable = () => bootd.metric('fleetboot_dhcp_lease_commits_total', { result: 'unavailable' });
  const unavailableAtStart = unavailable();
  const startedAtMs = Date.now();
  for (let i = 0; i < waveClients; i++) start(mac(storm, i));
  // The event once bootd has ACKed a client of the storm (on this box the poll often sees the
  // whole first wave done by then); wave 2 starts right after it and meets the switch.
  await until('bootd to ACK the first client of the storm', () => acks() - acksAtStart >= 1, 60_000, 100);
  const ackedBeforeEvent = acks() - acksAtStart;
  await event();
  for (let i = waveClients; i < 2 * waveClients; i++) start(mac(storm, i));
  const got = new Map<string, DhcpClientResult>();
  for (const [m, pending] of results) got.set(m, await pending);
  const seconds = (Date.now() - startedAtMs) / 1000;

  const noLease = [...got].filter(([, r]) => !r.env.new_ip_address).map(([m, r]) => `${m}: ${r.log.slice(-400)}`);
  assert.deepEqual(noLease, [], `every client got a lease\n${bootd.log.slice(-3000)}`);
  const holders = new Map<string, string[]>();
  for (const [m, r] of got) holders.set(r.env.new_ip_address!, [...(holders.get(r.env.new_ip_address!) ?? []), m]);
  assert.deepEqual([...holders].filter(([, m]) => m.length > 1), [], 'no address is held by two clients');
  // Read on the primary now in office: what each client was ACKed is its own row there.
  const rows = await onPrimary<{ mac: string; ip: string }>(`SELECT mac, ip FROM "Lease" WHERE "networkId" = $1 AND state = 'bound' AND mac = ANY($2)`, [ids.lab, [...got.keys()]]);
  const leaseOf = new Map(rows.map((r) => [r.mac, r.ip]));
  const mismatched = [...got].filter(([m, r]) => leaseOf.get(m) !== r.env.new_ip_address).map(([m, r]) => `${m} holds ${r.env.new_ip_address}, its lease row says ${leaseOf.get(m) ?? 'nothing'}`);
  assert.deepEqual(mismatched, [], 'each client holds the address of its own lease row on the new primary');
  return { got, ackedBeforeEvent, seconds, unavailable: unavailable() - unavailableAtStart };
}

/** A client with a reserved MAC gets its reserved address (bootd's view has the host). */
async function assertServedReserved(hostMac: string, ip: string): Promise<void> {
  const r = await lab!.dhclient(lab!.addClient(hostMac), { conf: dhclientConf, timeoutMs: clientTimeoutMs });
  assert.equal(r.env.new_ip_address, ip, `${hostMac} gets its reserved ${ip}\n${bootd.log.slice(-2000)}`);
}

const viewLoads = () => (bootd.log.match(/view loaded from the database/g) ?? []).length;

test('kill -9 of the primary mid DHCP storm: every client a lease, none shared, each its own row on the new primary; the change-log follower reconnects', { skip, timeout: 400_000 }, async () => {
  const c = cluster!;
  const oldLeader = (await c.leaderName())!;
  const loadsBefore = viewLoads();
  // Reserved and committed just before the kill: bootd must have it whether it read it before
  // the kill or reads it after reconnecting.
  await reserve('before-kill', '52:54:00:79:aa:01', '10.66.0.31');
  const run = await stormThrough(1, async () => {
    const pid = c.postmasterPid(c.nodes.find((n) => n.name === oldLeader)!);
    assert.ok(pid, `the postmaster of ${oldLeader} runs`);
    process.kill(pid, 'SIGKILL');
  });
  const newLeader = await until('a new leader', async () => {
    const name = await c.leaderName();
    return name && name !== oldLeader ? name : null;
  }, 60_000, 500);
  // The follower's connection (and its LISTEN) died with the old primary: it connects again
  // and reads the whole view from the new one.
  await until('bootd to read its view again from the new primary', () => viewLoads() > loadsBefore, 60_000, 500);
  const reservedAtMs = Date.now();
  await reserve('after-kill', '52:54:00:79:aa:02', '10.66.0.32');
  await assertServedReserved('52:54:00:79:aa:02', '10.66.0.32');
  const answeredInMs = Date.now() - reservedAtMs;
  await assertServedReserved('52:54:00:79:aa:01', '10.66.0.31');
  console.log(`# ${oldLeader} killed after ${run.ackedBeforeEvent} ACKs, ${newLeader} promoted; ${run.got.size} dhclient clients in ${run.seconds.toFixed(1)} s, all leased, none shared; ${run.unavailable} binding write(s) failed meanwhile (no ACK sent, the client asked again); a host reserved on the new primary answered ${(answeredInMs / 1000).toFixed(1)} s after its INSERT`);
});

test('patronictl switchover mid DHCP storm: every client a lease, none shared, none lost', { skip, timeout: 400_000 }, async () => {
  const c = cluster!;
  await c.waitReplicating(240_000);
  const leader = (await c.leaderName())!;
  const candidate = (await c.members()).find((m) => m.role === 'sync_standby')!.name;
  let switchover: Promise<string> | null = null;
  const run = await stormThrough(2, async () => {
    switchover = c.patronictlAsync(['switchover', '--leader', leader, '--candidate', candidate, '--force', 'fleetboot']);
    await sleep(0);
  });
  await switchover!;
  await until(`${candidate} to lead`, async () => (await c.leaderName()) === candidate, 60_000, 500);
  await reserve('after-switchover', '52:54:00:79:aa:03', '10.66.0.33');
  await assertServedReserved('52:54:00:79:aa:03', '10.66.0.33');
  console.log(`# switchover ${leader} -> ${candidate} after ${run.ackedBeforeEvent} ACKs; ${run.got.size} dhclient clients in ${run.seconds.toFixed(1)} s, all leased, none shared; ${run.unavailable} binding write(s) failed meanwhile`);
});
