import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryEventSink } from '../events/event-sink.ts';
import { Metrics } from '../metrics.ts';
import { decodePacket, encodePacket, getMessageType } from './codec.ts';
import { MemoryLeaseStore } from './lease-store.ts';
import { broadcastFlag, MessageType } from './options.ts';
import { DhcpPolicy } from './policy.ts';
import { DhcpServer, replyDestination } from './server.ts';
import { clientRequest, labView, serverAddress } from './testdata/lab-view.ts';

const silentLog = { info() {}, warn() {}, error() {} };

function lab() {
  const sent: Array<{ bytes: Buffer; port: number; address: string }> = [];
  const events = new MemoryEventSink();
  const metrics = new Metrics();
  const policy = new DhcpPolicy({ view: labView(), leases: new MemoryLeaseStore(), config: { serverAddress, httpBaseUrl: 'http://x' } });
  const server = new DhcpServer({ policy, events, metrics, log: silentLog, transport: { send: (bytes, port, address) => sent.push({ bytes, port, address }) } });
  return { sent, events, metrics, server };
}

const from = { address: '0.0.0.0', port: 68 };

test('a malformed datagram is counted with its reason and not answered', async () => {
  const { sent, metrics, server, events } = lab();
  await server.handleDatagram(Buffer.alloc(100), from);
  assert.equal(sent.length, 0);
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
  assert.equal(metrics.get('fleetboot_dhcp_packets_total', { type: 'discover', result: 'dropped', reason: 'policy-error' }), 1);
});
