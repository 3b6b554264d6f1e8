import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryEventSink } from '../events/event-sink.ts';
import { Metrics } from '../metrics.ts';
import { decodePacket, encodePacket, getMessageType } from './codec.ts';
import { MemoryLeaseStore } from './lease-store.ts';
import { broadcastFlag, MessageType } from '../../lib/dhcp/options.ts';
import { DhcpPolicy } from './policy.ts';
import { DhcpServer, replyDestination } from './server.ts';
import { clientRequest, labView, serverAddress } from './testdata/lab-view.ts';

const silentLog = { info() {}, warn() {}, error() {} };

function lab(relayedOnly = false) {
  const sent: Array<{ bytes: Buffer; port: number; address: string }> = [];
  const events = new MemoryEventSink();
  const metrics = new Metrics();
  const policy = new DhcpPolicy({ view: labView(), leases: new MemoryLeaseStore(), config: { serverAddress, httpBaseUrl: 'http://x' } });
  const server = new DhcpServer({ policy, events, metrics, log: silentLog, relayedOnly, transport: { send: (bytes, port, address) => sent.push({ bytes, port, address }) } });
  return { sent, events, metrics, server };
}

const from = { address: '0.0.0.0', port: 68 };

test('a malformed datagram is counted with its reason and not answered', async () => {
  const { sent, metrics, server, events } = lab();
  await server.handleDatagram(Buffer.alloc(100), from);
  assert.equal(sent.length, 0);
  server.flushMetrics();
  assert.equal(metrics.get('fleetboot_dhcp_packets_total', { type: 'unknown', result: 'dropped', reason: 'truncated-header' }), 1);
  assert.equal(events.events[0]?.type, 'dropped');
});

test('DISCOVER → OFFER broadcast to port 68, with discover and offer events', async () => {
  const { sent, metrics, server, events } = lab();
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01' })), from);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.address, '255.255.255.255');
  assert.equal(sent[0]!.port, 68);
  const r = decodePacket(sent[0]!.bytes);
  assert.ok(r.ok && getMessageType(r.packet) === MessageType.Offer);
  server.flushMetrics();
  assert.equal(metrics.get('fleetboot_dhcp_packets_total', { type: 'discover', result: 'replied', reason: 'offer' }), 1);
  assert.deepEqual(events.events.map((e) => e.type), ['discover', 'offer']);
  assert.equal(events.events[1]?.hostId, '00000000-0000-4000-8000-00000000b001');
});

test('a NAK through a relay goes to the relay on port 67 with the broadcast bit', async () => {
  const { sent, server } = lab();
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Request, mac: '52:54:00:00:00:01', giaddr: '10.77.0.1', requestedIp: '10.66.0.11' })), from);
  assert.equal(sent[0]?.address, '10.77.0.1');
  assert.equal(sent[0]?.port, 67);
  const r = decodePacket(sent[0]!.bytes);
  assert.ok(r.ok && getMessageType(r.packet) === MessageType.Nak && (r.packet.flags & broadcastFlag) !== 0);
});

test('RFC 2131 §4.1 reply addressing', () => {
  const ports = { clientPort: 68, serverPort: 67 };
  const mac = '52:54:00:00:00:01';
  assert.deepEqual(replyDestination(clientRequest({ type: MessageType.Request, mac, ciaddr: '10.66.0.11' }), MessageType.Ack, ports), { address: '10.66.0.11', port: 68 });
  assert.deepEqual(replyDestination(clientRequest({ type: MessageType.Request, mac, ciaddr: '10.66.0.11' }), MessageType.Nak, ports), { address: '255.255.255.255', port: 68 });
  assert.deepEqual(replyDestination(clientRequest({ type: MessageType.Discover, mac, flags: broadcastFlag }), MessageType.Offer, ports), { address: '255.255.255.255', port: 68 });
  assert.deepEqual(replyDestination(clientRequest({ type: MessageType.Discover, mac, giaddr: '10.77.0.1' }), MessageType.Offer, ports), { address: '10.77.0.1', port: 67 });
});

test('a policy that throws is counted, not fatal', async () => {
  const events = new MemoryEventSink();
  const metrics = new Metrics();
  const policy = { handle: async () => { throw new Error('boom'); } } as unknown as DhcpPolicy;
  const server = new DhcpServer({ policy, events, metrics, log: silentLog, transport: { send() { assert.fail('sent'); } } });
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01' })), from);
  server.flushMetrics();
  assert.equal(metrics.get('fleetboot_dhcp_packets_total', { type: 'discover', result: 'dropped', reason: 'policy-error' }), 1);
});

test('DORA of a pool client: events discover (with its traits), offer, ack; the answered REQUEST gets none of its own', async () => {
  const { server, events } = lab();
  const mac = '52:54:00:00:00:77';
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac, options: [[60, Buffer.from('PXEClient:Arch:00000:UNDI:002001')]] })), from);
  const offered = events.events.find((e) => e.type === 'offer')?.detail?.ip as string;
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Request, mac, serverId: serverAddress, requestedIp: offered })), from);
  assert.deepEqual(events.events.map((e) => e.type), ['discover', 'offer', 'ack']);
  assert.equal((events.events[0]?.detail?.traits as { vendorClass?: string }).vendorClass, 'PXEClient:Arch:00000:UNDI:002001');
  assert.equal(events.events[2]?.detail?.form, 'selecting');
});

test('a "dropped" event per client and reason: every client shows why, a retrying one only once', async () => {
  const events = new MemoryEventSink();
  const policy = new DhcpPolicy({ view: labView({ hosts: [] }), leases: new MemoryLeaseStore(), config: { serverAddress, httpBaseUrl: 'http://x' } });
  const server = new DhcpServer({ policy, events, metrics: new Metrics(), log: silentLog, transport: { send() {} } });
  // A REQUEST without an address is "request-without-address" for anyone.
  for (const mac of ['52:54:00:00:01:01', '52:54:00:00:01:02', '52:54:00:00:01:01', '52:54:00:00:01:01']) {
    await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Request, mac })), from);
  }
  assert.deepEqual(events.events.map((e) => [e.type, e.mac, e.detail?.reason]), [
    ['dropped', '52:54:00:00:01:01', 'request-without-address'],
    ['dropped', '52:54:00:00:01:02', 'request-without-address'],
  ]);
});

test('the admission cap applies to REQUESTs waiting for a commit, never to DISCOVERs', async () => {
  const sent: Buffer[] = [];
  const metrics = new Metrics();
  const policy = new DhcpPolicy({ view: labView({ hosts: [] }), leases: new MemoryLeaseStore(), config: { serverAddress, httpBaseUrl: 'http://x' } });
  const server = new DhcpServer({ policy, events: new MemoryEventSink(), metrics, log: silentLog, maxWaiting: 0, transport: { send: (b) => sent.push(b) } });
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:02:01' })), from);
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Request, mac: '52:54:00:00:02:01', serverId: serverAddress, requestedIp: '10.66.0.100' })), from);
  server.flushMetrics();
  assert.equal(sent.length, 1, 'the OFFER went out');
  assert.equal(metrics.get('fleetboot_dhcp_packets_total', { type: 'request', result: 'dropped', reason: 'overloaded' }), 1);
});

test('a DISCOVER of the peer\'s half is counted, not answered, not an event', async () => {
  const sent: Buffer[] = [];
  const events = new MemoryEventSink();
  const metrics = new Metrics();
  const scope = { decide: () => ({ serve: false as const, reason: 'peer-half' as const, owner: 'bootd-b' }) };
  const policy = new DhcpPolicy({ view: labView({ hosts: [] }), leases: new MemoryLeaseStore(), config: { serverAddress, httpBaseUrl: 'http://x' }, scope });
  const server = new DhcpServer({ policy, events, metrics, log: silentLog, transport: { send: (b) => sent.push(b) } });
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:03:01' })), from);
  server.flushMetrics();
  assert.equal(sent.length, 0);
  assert.equal(events.events.length, 0);
  assert.equal(metrics.get('fleetboot_dhcp_packets_total', { type: 'discover', result: 'ignored', reason: 'peer-half' }), 1);
});

test('an unknown MAC is noted for the discovery list on DISCOVER (no address yet) and on ACK (its address)', async () => {
  const noted: Array<[string, string, string | null]> = [];
  const discovery = { noteUnknownMachine: (mac: string, networkId: string, ip: string | null) => void noted.push([mac, networkId, ip]) };
  const policy = new DhcpPolicy({ view: labView(), leases: new MemoryLeaseStore(), config: { serverAddress, httpBaseUrl: 'http://x' }, discovery });
  const server = new DhcpServer({ policy, events: new MemoryEventSink(), metrics: new Metrics(), log: silentLog, transport: { send() {} } });
  const mac = '52:54:00:00:04:01';
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac })), from);
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Request, mac, serverId: serverAddress, requestedIp: '10.66.0.100' })), from);
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01' })), from); // web01: known
  assert.deepEqual(noted, [[mac, '00000000-0000-4000-8000-000000000001', null], [mac, '00000000-0000-4000-8000-000000000001', '10.66.0.100']]);
});

test('the same exchange repeated within seconds is counted, not recorded again; the next recorded one says how often', async () => {
  let now = 1_000_000;
  const events = new MemoryEventSink();
  const metrics = new Metrics();
  const policy = new DhcpPolicy({ view: labView(), leases: new MemoryLeaseStore(), config: { serverAddress, httpBaseUrl: 'http://x' } });
  const server = new DhcpServer({ policy, events, metrics, log: silentLog, transport: { send() {} }, now: () => now });
  const discover = encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01' }));
  await server.handleDatagram(discover, from);
  now += 1000;
  await server.handleDatagram(discover, from); // a retransmission
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01', options: [[77, Buffer.from('iPXE')]] })), from); // iPXE: a new stage
  now += 5000;
  await server.handleDatagram(discover, from);
  server.flushMetrics();
  assert.deepEqual(events.events.map((e) => `${e.type}${e.detail?.repeats ? ` x${e.detail.repeats}` : ''}`), ['discover', 'offer', 'discover', 'offer', 'discover', 'offer x1']);
  assert.equal(metrics.get('fleetboot_dhcp_events_repeated_total'), 2);
});

test('the relay socket (not on a boot interface) answers relays and renewing clients, and ignores a client\'s own request', async () => {
  const { sent, metrics, server, events } = lab(true);
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:00:00:01' })), from);
  assert.equal(sent.length, 0, 'a direct DISCOVER came in on another LAN');
  assert.deepEqual(events.events, []);
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Discover, mac: '52:54:00:99:00:07', giaddr: '10.77.0.1' })), from);
  assert.equal(sent.at(-1)?.address, '10.77.0.1', 'a relayed one is answered');
  await server.handleDatagram(encodePacket(clientRequest({ type: MessageType.Request, mac: '52:54:00:00:00:01', ciaddr: '10.66.0.11' })), from);
  assert.equal(sent.at(-1)?.address, '10.66.0.11', 'a renewing client is answered');
  server.flushMetrics();
  assert.equal(metrics.get('fleetboot_dhcp_packets_total', { type: 'discover', result: 'ignored', reason: 'off-boot-interface' }), 1);
});
