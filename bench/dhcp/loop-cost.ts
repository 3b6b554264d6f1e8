// bootd's own CPU per DORA exchange, without the kernel, perfdhcp or PostgreSQL in the way:
// the real DhcpServer, DhcpPolicy, PgLeaseStore (group commit) and EventWriter, driven from this
// process with perfdhcp-shaped packets, their database replaced by a pool that answers at once.
// The box this runs on is shared and noisy; CPU time per exchange of one process barely moves
// with the load, which makes this the measure to compare code changes with (run.sh stays the
// end-to-end measure). Not a test: `npx tsx bench/dhcp/loop-cost.ts`.
//   LOOP_MODE=repeat  4,000 clients doing DORA again and again, as perfdhcp -R 4000 does (default)
//   LOOP_MODE=storm   every exchange a new machine: three boot events each, none repeated
//   LOOP_EXCHANGES=200000 LOOP_ROUNDS=3 LOOP_CONCURRENCY=64
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { ViewIndex } from '../../lib/boot/view-index.ts';
import { encodePacket, ipToBuffer, macToChaddr } from '../../boot-services/dhcp/codec.ts';
import { BootpOp, DhcpOption, MessageType } from '../../lib/dhcp/options.ts';
import { PgLeaseStore } from '../../boot-services/dhcp/pg-lease-store.ts';
import { LeaseTable } from '../../boot-services/store/dhcp-leases.ts';
import { DhcpPolicy } from '../../boot-services/dhcp/policy.ts';
import { DhcpServer } from '../../boot-services/dhcp/server.ts';
import { EventWriter } from '../../boot-services/events/event-writer.ts';
import { EventStore } from '../../boot-services/store/events.ts';
import { Metrics } from '../../boot-services/metrics.ts';

const mode = process.env.LOOP_MODE ?? 'repeat';
const exchanges = Number(process.env.LOOP_EXCHANGES ?? 200_000);
const rounds = Number(process.env.LOOP_ROUNDS ?? 3);
const concurrency = Number(process.env.LOOP_CONCURRENCY ?? 64);
const repeatClients = 4000;
const serverAddress = '10.88.0.1';
const relay = '10.88.0.2';
const silentLog = { info() {}, warn() {}, error() {} };

/**
 * A pg.Pool whose every query succeeds at once (next macrotask, as a socket read would): the
 * lease upsert, the event batch and the discovery list cost their JavaScript here, not their SQL.
 */
function instantPool(): pg.Pool {
  let seq = 0;
  const answer = (text: unknown): unknown => {
    const sql = typeof text === 'string' ? text : String((text as { text?: string }).text ?? '');
    if (sql.startsWith('BEGIN;')) return [{ rows: [] }, { rows: [] }, { rows: [{ head: String(seq) }] }];
    if (sql.includes('"BootEvent"') && sql.includes('RETURNING seq')) return { rows: [{ head: String(++seq) }] };
    return { rows: [] };
  };
  const query = (text: unknown) => new Promise((resolve) => setImmediate(() => resolve(answer(text))));
  const client = { query, release() {} };
  return { query, connect: async () => client, on() {}, end: async () => {} } as unknown as pg.Pool;
}

// What perfdhcp -4 sends as a relay (Kea 2.2 perfdhcp: options 53, 55, and 50 + 54 in a REQUEST).
// Built once; each exchange patches xid, MAC and requested address in, so the client's side
// costs next to nothing here.
const parameterRequestList = Buffer.from([DhcpOption.SubnetMask, DhcpOption.BroadcastAddress, 2, DhcpOption.Router, 15, DhcpOption.DomainNameServer, DhcpOption.HostName]);
function template(type: MessageType): Buffer {
  const options = new Map<number, Buffer>([[DhcpOption.MessageType, Buffer.from([type])]]);
  if (type === MessageType.Request) {
    options.set(DhcpOption.RequestedIpAddress, ipToBuffer('0.0.0.0'));
    options.set(DhcpOption.ServerIdentifier, ipToBuffer(serverAddress));
  }
  options.set(DhcpOption.ParameterRequestList, parameterRequestList);
  return encodePacket({
    op: BootpOp.Request, htype: 1, hlen: 6, hops: 1, xid: 0, secs: 0, flags: 0, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0',
    giaddr: relay, chaddr: macToChaddr('00:00:00:00:00:00'), serverName: '', bootFileName: '', options,
  });
}
const discoverTemplate = template(MessageType.Discover);
const requestTemplate = template(MessageType.Request);
/** Offset of option 50's value in the REQUEST template (options start at 240: 53 (3 bytes), then 50). */
const requestedIpOffset = 240 + 3 + 2;

function packet(t: Buffer, client: number, xid: number, yiaddr?: Buffer): Buffer {
  const b = Buffer.from(t);
  b.writeUInt32BE(xid >>> 0, 4);
  b[28] = 0x00; b[29] = 0x0c; b.writeUInt32BE(client >>> 0, 30);
  if (yiaddr) yiaddr.copy(b, requestedIpOffset);
  return b;
}

/** The reply's message type, from the fixed place policy puts it (first option). */
const replyType = (b: Buffer) => (b[240] === DhcpOption.MessageType ? b[242] : -1);

async function main(): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-dhcp-loop-'));
  const view = new ViewIndex();
  // A /16 pool large enough for a storm of new machines; the same pool as run.sh for repeats.
  view.putNetwork({
    id: '00000000-0000-4000-8000-000000000088', name: 'bench', cidr: mode === 'storm' ? '10.80.0.0/12' : '10.88.0.0/16', gateway: serverAddress, dnsServers: [], domain: null,
    bootServer: null, poolStart: mode === 'storm' ? '10.81.0.0' : '10.88.1.0', poolEnd: mode === 'storm' ? '10.95.255.254' : '10.88.20.255', leaseSeconds: 3600, relayAddresses: [], discoveryEnabled: true, servedBy: [],
    ipv6Prefix: null, ipv6PoolStart: null, ipv6PoolEnd: null, ipv6BootServer: null,
  });
  const pool = instantPool();
  const metrics = new Metrics();
  const leases = await PgLeaseStore.open({ table: new LeaseTable(pool), log: silentLog, metrics });
  const events = new EventWriter({ store: new EventStore(pool), stateDir, log: silentLog, metrics });
  const policy = new DhcpPolicy({ view, leases, config: { serverAddress, httpBaseUrl: `http://${serverAddress}:8080` } });
  const replies = new Map<number, Buffer>();
  const server = new DhcpServer({ policy, events, metrics, log: silentLog, transport: { send: (bytes) => { replies.set(bytes.readUInt32BE(4), bytes); } } });
  const from = { address: relay, port: 67 };

  let next = 0;
  let failed = 0;
  const exchange = async (n: number): Promise<void> => {
    const client = mode === 'storm' ? n : n % repeatClients;
    const xid = (n * 2) >>> 0;
    await server.handleDatagram(packet(discoverTemplate, client, xid), from);
    const offer = replies.get(xid);
    replies.delete(xid);
    if (!offer || replyType(offer) !== MessageType.Offer) { failed++; return; }
    await server.handleDatagram(packet(requestTemplate, client, xid + 1, offer.subarray(16, 20)), from);
    const ack = replies.get(xid + 1);
    replies.delete(xid + 1);
    if (!ack || replyType(ack) !== MessageType.Ack) failed++;
  };
  const runRound = async (count: number): Promise<void> => {
    const end = next + count;
    const worker = async () => { while (next < end) await exchange(next++); };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };

  await runRound(20_000); // warm-up: JIT, lease book, session book
  await events.flush();
  console.log(`mode ${mode}, ${exchanges} exchanges a round, ${concurrency} at once; node ${process.version}`);
  for (let r = 0; r < rounds; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const recorded0 = metrics.get('fleetboot_events_recorded_total', { source: 'dhcp' });
    await runRound(exchanges);
    await events.flush();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const recorded = metrics.get('fleetboot_events_recorded_total', { source: 'dhcp' }) - recorded0;
    console.log(`  round ${r + 1}: ${((cpu.user + cpu.system) / exchanges).toFixed(1)} µs CPU per DORA (user ${(cpu.user / exchanges).toFixed(1)}, system ${(cpu.system / exchanges).toFixed(1)}), ` +
      `${Math.round(exchanges / (wallMs / 1000))} DORA/s in one thread, ${(recorded / exchanges).toFixed(2)} events per DORA, ${failed} failed`);
  }
  server.close();
  await events.close();
  await leases.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
