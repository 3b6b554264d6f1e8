// Two real bootd on one boot network (DESIGN.md "Growing past one machine"): unknown MACs are
// split between them by the RFC 3074 hash; killed, one's half is served by the other once a
// client of that half has waited (its DHCP secs); restarted, it gets its half back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketOwnerIndex, loadBalanceBucket } from '../load-balance.ts';
import { DhcpLab, dhcpLabSkipReason, serverAddress, sleep, type BootdProcess } from './dhcp-lab.ts';

const skip = dhcpLabSkipReason() ?? false;
if (skip) console.log(`# skipped: ${skip}`);

const peerAddress = '10.66.0.2';
const takeoverAfterSecs = 3;
const common = { FLEETBOOT_DHCP_HEARTBEAT_MS: '500', FLEETBOOT_DHCP_TAKEOVER_SECS: String(takeoverAfterSecs) };
const envA = { ...common, FLEETBOOT_BOOTD_ID: 'bootd-a', FLEETBOOT_DHCP_PEERS: 'bootd-b' };
const envB = { ...common, FLEETBOOT_BOOTD_ID: 'bootd-b', FLEETBOOT_DHCP_PEERS: 'bootd-a' };

/** Unknown MACs whose RFC 3074 bucket falls in bootd-a's half (0-127) or bootd-b's (128-255). */
function macsOfHalf(half: 0 | 1, count: number, from: number): string[] {
  const out: string[] = [];
  for (let i = from; out.length < count; i++) {
    const mac = `52:54:00:77:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    if (bucketOwnerIndex(loadBalanceBucket(Buffer.from(mac.replace(/:/g, ''), 'hex')), 2) === half) out.push(mac);
  }
  return out;
}

let lab: DhcpLab;
let a: BootdProcess;
let b: BootdProcess;
let second: ReturnType<DhcpLab['addServer']>;

/** Polls a counter: bootd flushes its packet counters every 250 ms, so a read right after a packet can lag. */
async function waitForMetric(bootd: BootdProcess, name: string, labels: Record<string, string>, want: number, ms: number, atLeast = false): Promise<void> {
  const deadline = Date.now() + ms;
  let got = NaN;
  while (Date.now() < deadline) {
    got = bootd.metric(name, labels);
    if (got === want || (atLeast && got >= want)) return;
    await sleep(200);
  }
  assert.fail(`${name}${JSON.stringify(labels)} on ${bootd.address} is ${got}, want ${atLeast ? 'at least ' : ''}${want}; log: ${bootd.log.slice(-2000)}`);
}

before(async () => {
  if (skip) return;
  lab = await DhcpLab.start();
  a = await lab.startBootd(envA);
  second = lab.addServer(peerAddress);
  b = await lab.startBootd(envB, second);
  await waitForMetric(a, 'fleetboot_dhcp_peer_up', { peer: 'bootd-b' }, 1, 10_000);
  await waitForMetric(b, 'fleetboot_dhcp_peer_up', { peer: 'bootd-a' }, 1, 10_000);
});
after(async () => {
  if (skip) return;
  await lab.dispose();
});

test('unknown clients are split between the two bootd by the RFC 3074 hash of their MAC', { skip }, async () => {
  for (const [half, owner] of [[0, serverAddress], [1, peerAddress]] as const) {
    for (const mac of macsOfHalf(half, 3, 0)) {
      const r = lab.udhcpc(lab.addClient(mac));
      assert.match(r.env.ip ?? '', /^10\.66\.0\.(1[01]\d|120)$/, `${mac}: ${r.log}`);
      assert.equal(r.env.serverid, owner, `${mac} (half ${half}) was answered by ${r.env.serverid}`);
    }
  }
  // Each bootd heard the other half's DISCOVERs and stayed silent.
  await waitForMetric(a, 'fleetboot_dhcp_packets_total', { type: 'discover', reason: 'peer-half' }, 3, 5_000, true);
  await waitForMetric(b, 'fleetboot_dhcp_packets_total', { type: 'discover', reason: 'peer-half' }, 3, 5_000, true);
});

test('with bootd-b killed, bootd-a serves b\'s half once a client has waited, then every client at once', { skip }, async () => {
  await b.stop('SIGKILL');
  await waitForMetric(a, 'fleetboot_dhcp_peer_up', { peer: 'bootd-b' }, 0, 10_000);
  // dhclient counts its secs up with each retransmission (every 1-2 s with this configuration).
  const [waiting, next] = macsOfHalf(1, 2, 1000);
  const r = await lab.dhclient(lab.addClient(waiting!), { conf: 'initial-interval 1;\nbackoff-cutoff 2;\n', timeoutMs: 30_000 });
  assert.match(r.env.new_ip_address ?? '', /^10\.66\.0\.(1[01]\d|120)$/, r.log + a.log.slice(-2000));
  assert.equal(r.env.new_dhcp_server_identifier, serverAddress);
  // The first DISCOVERs (secs below the threshold) were not answered.
  await waitForMetric(a, 'fleetboot_dhcp_packets_total', { type: 'discover', reason: 'peer-half-waiting' }, 1, 5_000, true);
  await waitForMetric(a, 'fleetboot_dhcp_takeovers_total', { peer: 'bootd-b' }, 1, 5_000);
  // After the takeover a new client of b's half is answered at once (udhcpc, secs 0).
  const u = lab.udhcpc(lab.addClient(next!));
  assert.equal(u.env.serverid, serverAddress, u.log);
  // Operators see it on the timeline.
  let takeovers = 0;
  for (let i = 0; i < 30 && takeovers === 0; i++) {
    takeovers = (await lab.pool.query(`SELECT 1 FROM "BootEvent" WHERE source = 'bootd' AND type = 'dhcp-takeover' AND detail->>'peer' = 'bootd-b'`)).rowCount ?? 0;
    if (takeovers === 0) await sleep(100);
  }
  assert.equal(takeovers, 1);
});

test('bootd-b restarted gets its half back', { skip }, async () => {
  b = await lab.startBootd(envB, second);
  await waitForMetric(a, 'fleetboot_dhcp_peer_up', { peer: 'bootd-b' }, 1, 10_000);
  const [mac] = macsOfHalf(1, 1, 2000);
  const r = lab.udhcpc(lab.addClient(mac!));
  assert.equal(r.env.serverid, peerAddress, r.log + b.log.slice(-1500));
});
