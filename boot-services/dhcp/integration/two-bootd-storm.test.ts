// Two real bootd on one boot segment, each in its own namespace with its own state directory
// (no shared disk, only PostgreSQL), one `kill -9`'d in the middle of a DHCP storm of real ISC
// dhclient clients (issue 14's failover test; DESIGN.md "Growing past one machine"). The
// survivor takes the dead one's half of the pool once its clients have waited (RFC 3074 §4,
// their DHCP secs), every client ends with a lease, and no address is held by two clients:
// what each client configured is its own Lease row, and what the dead bootd acknowledged
// before it died was committed first (the survivor never hands it out again).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketOwnerIndex, loadBalanceBucket } from '../load-balance.ts';
import { DhcpLab, dhcpLabSkipReason, ids, serverAddress, sleep, type BootdProcess, type DhcpClientResult } from './dhcp-lab.ts';

const skip = dhcpLabSkipReason() ?? false;
if (skip) console.log(`# skipped: ${skip}`);

const peerAddress = '10.66.0.2';
const common = { FLEETBOOT_DHCP_HEARTBEAT_MS: '500', FLEETBOOT_DHCP_TAKEOVER_SECS: '3' };
/** Bounded storm: this many clients, in two waves; each dhclient gives up after 60 s. */
const wave1Clients = 12;
const wave2Clients = 12;
const clientTimeoutMs = 60_000;
/** dhclient retransmits every 1-2 s, so its secs field grows past the takeover threshold soon. */
const dhclientConf = 'initial-interval 1;\nbackoff-cutoff 2;\n';

let lab: DhcpLab;
let a: BootdProcess;
let b: BootdProcess;

before(async () => {
  if (skip) return;
  lab = await DhcpLab.start();
  // Room for the storm and the seeded hosts' neighbours: 100 pool addresses.
  await lab.pool.query(`UPDATE "Network" SET "poolStart" = '10.66.0.100', "poolEnd" = '10.66.0.199', "updatedAt" = now() WHERE id = $1`, [ids.lab]);
  a = await lab.startBootd({ ...common, FLEETBOOT_BOOTD_ID: 'bootd-a', FLEETBOOT_DHCP_PEERS: 'bootd-b' });
  b = await lab.startBootd({ ...common, FLEETBOOT_BOOTD_ID: 'bootd-b', FLEETBOOT_DHCP_PEERS: 'bootd-a' }, lab.addServer(peerAddress));
  for (const [bootd, peer] of [[a, 'bootd-b'], [b, 'bootd-a']] as const) {
    const deadline = Date.now() + 15_000;
    while (bootd.metric('fleetboot_dhcp_peer_up', { peer }) !== 1) {
      if (Date.now() > deadline) assert.fail(`${bootd.address} never saw ${peer} up: ${bootd.log.slice(-2000)}`);
      await sleep(200);
    }
  }
});
after(async () => {
  if (skip) return;
  await lab.dispose();
});

/** MACs of the storm, alternating between the two halves of the RFC 3074 buckets. */
function stormMacs(count: number, from: number): string[] {
  const byHalf: string[][] = [[], []];
  for (let i = from; byHalf[0]!.length + byHalf[1]!.length < count * 4; i++) {
    const mac = `52:54:00:78:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    byHalf[bucketOwnerIndex(loadBalanceBucket(Buffer.from(mac.replace(/:/g, ''), 'hex')), 2)]!.push(mac);
  }
  return Array.from({ length: count }, (_, i) => byHalf[i % 2]![Math.floor(i / 2)]!);
}

test('kill -9 of one bootd mid-storm: every client gets a lease, none shares an address, what the dead one acknowledged stays its client\'s', { skip, timeout: 240_000 }, async () => {
  const macs = stormMacs(wave1Clients + wave2Clients, 0);
  const results = new Map<string, Promise<DhcpClientResult>>();
  const start = (mac: string) => results.set(mac, lab.dhclient(lab.addClient(mac), { conf: dhclientConf, timeoutMs: clientTimeoutMs }));
  const startedAtMs = Date.now();

  for (const mac of macs.slice(0, wave1Clients)) start(mac);
  // Killed once it has really served part of the storm (its leases are in the table).
  const deadline = Date.now() + 60_000;
  let servedByB = 0;
  while (servedByB < 2) {
    if (Date.now() > deadline) assert.fail(`bootd-b served ${servedByB} clients in 60 s: ${b.log.slice(-2000)}`);
    await sleep(100);
    servedByB = b.metric('fleetboot_dhcp_packets_total', { type: 'request', result: 'replied', reason: 'ack' });
  }
  await b.stop('SIGKILL');
  const killedAtMs = Date.now();
  for (const mac of macs.slice(wave1Clients)) start(mac);

  const got = new Map<string, DhcpClientResult>();
  for (const [mac, pending] of results) got.set(mac, await pending);
  const doneAtMs = Date.now();

  const noLease = [...got].filter(([, r]) => !r.env.new_ip_address).map(([mac, r]) => `${mac}: ${r.log.slice(-400)}`);
  assert.deepEqual(noLease, [], `every client got a lease\n${a.log.slice(-3000)}`);

  const holders = new Map<string, string[]>();
  for (const [mac, r] of got) holders.set(r.env.new_ip_address!, [...(holders.get(r.env.new_ip_address!) ?? []), mac]);
  const shared = [...holders].filter(([, m]) => m.length > 1);
  assert.deepEqual(shared, [], 'no address is held by two clients');

  const rows = await lab.pool.query<{ mac: string; ip: string }>(`SELECT mac, ip FROM "Lease" WHERE "networkId" = $1 AND state = 'bound'`, [ids.lab]);
  const leaseOf = new Map(rows.rows.map((r) => [r.mac, r.ip]));
  const mismatched = [...got].filter(([mac, r]) => leaseOf.get(mac) !== r.env.new_ip_address).map(([mac, r]) => `${mac} holds ${r.env.new_ip_address}, its lease row says ${leaseOf.get(mac) ?? 'nothing'}`);
  assert.deepEqual(mismatched, [], 'each client holds the address of its own lease row');

  const bySource = (id: string) => [...got.values()].filter((r) => r.env.new_dhcp_server_identifier === id).length;
  const takeovers = a.metric('fleetboot_dhcp_takeovers_total', { peer: 'bootd-b' });
  console.log(`# ${got.size} dhclient clients in ${((doneAtMs - startedAtMs) / 1000).toFixed(1)} s; bootd-b killed -9 after ${servedByB} ACK(s), ${((killedAtMs - startedAtMs) / 1000).toFixed(1)} s in; `
    + `leases from bootd-a ${bySource(serverAddress)}, from bootd-b ${bySource(peerAddress)}; takeovers ${takeovers}`);
  assert.ok(bySource(peerAddress) >= 1, 'the killed bootd had served part of the storm');
  assert.equal(takeovers, 1, 'the survivor took the dead bootd\'s half over once');
  assert.equal(bySource(serverAddress) + bySource(peerAddress), got.size);
});
