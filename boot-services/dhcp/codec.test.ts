import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  decodePacket, encodePacket, getClientArchitectures, getClientMac, getClientMachineId, getClientNetworkInterface,
  getIpOption, getMessageType, getParameterRequestList, getStringOption, getUint32Option, getUserClasses,
  getRelayAgentInfo, macToChaddr, type DhcpPacket,
} from './codec.ts';
import { BootpOp, DhcpOption, MessageType, RelayAgentSubOption } from './options.ts';
import { readPcapUdp } from './testdata/pcap.ts';

const fixture = (name: string) => readPcapUdp(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)));

function decodeOk(bytes: Buffer): DhcpPacket {
  const r = decodePacket(bytes);
  if (!r.ok) assert.fail(`decode failed: ${r.reason}`);
  return r.packet;
}

/** Offset of the END option in the options field (the last meaningful byte of a packet). */
function endOffset(bytes: Buffer): number {
  let i = 240;
  while (i < bytes.length && bytes[i] !== DhcpOption.End) i += bytes[i] === DhcpOption.Pad ? 1 : 2 + bytes[i + 1]!;
  return i;
}

const allFixtures = ['udhcpc.pcap', 'udhcpc-pxe.pcap', 'dhclient.pcap'];

test('udhcpc DORA capture decodes to what tcpdump shows', () => {
  const [discover, offer, request, ack] = fixture('udhcpc.pcap').map((d) => decodeOk(d.payload));
  assert.ok(discover && offer && request && ack);
  assert.equal(getMessageType(discover), MessageType.Discover);
  assert.equal(getClientMac(discover), '52:54:00:12:34:56');
  assert.equal(getStringOption(discover, DhcpOption.HostName), 'cap-bbox');
  assert.equal(getMessageType(offer), MessageType.Offer);
  assert.equal(offer.op, BootpOp.Reply);
  assert.equal(offer.yiaddr, '10.99.0.111');
  assert.equal(offer.siaddr, '10.99.0.1');
  assert.equal(offer.bootFileName, 'pxelinux.0');
  assert.equal(offer.serverName, 'boot');
  assert.equal(offer.xid, discover.xid);
  assert.equal(getIpOption(offer, DhcpOption.Router), '10.99.0.1');
  assert.equal(getIpOption(offer, DhcpOption.DomainNameServer), '10.99.0.53');
  assert.equal(getStringOption(offer, DhcpOption.DomainName), 'lab.example');
  assert.equal(getUint32Option(offer, DhcpOption.IpAddressLeaseTime), 120);
  assert.equal(getMessageType(request), MessageType.Request);
  assert.equal(getIpOption(request, DhcpOption.RequestedIpAddress), '10.99.0.111');
  assert.equal(getIpOption(request, DhcpOption.ServerIdentifier), '10.99.0.1');
  assert.equal(getMessageType(ack), MessageType.Ack);
});

test('PXE-style options (60, 93, 94, 97, 55 asking 66/67) decode', () => {
  const [discover] = fixture('udhcpc-pxe.pcap').map((d) => decodeOk(d.payload));
  assert.ok(discover);
  assert.equal(getStringOption(discover, DhcpOption.VendorClassIdentifier), 'PXEClient:Arch:00000:UNDI:002001');
  assert.deepEqual(getClientArchitectures(discover), [0]);
  assert.deepEqual(getClientNetworkInterface(discover), { type: 1, major: 2, minor: 1 });
  assert.equal(getClientMachineId(discover), 'a0b1c2d3-e4f5-a6b7-c8d9-e0f1a2b3c4d5');
  const prl = getParameterRequestList(discover);
  assert.ok(prl.includes(DhcpOption.TftpServerName) && prl.includes(DhcpOption.BootfileName));
});

test('dhclient capture includes a unicast RELEASE naming the server', () => {
  const datagrams = fixture('dhclient.pcap');
  const release = datagrams.map((d) => decodeOk(d.payload)).find((p) => getMessageType(p) === MessageType.Release);
  assert.ok(release, 'no RELEASE in dhclient.pcap');
  assert.equal(release.ciaddr, '10.99.0.111');
  assert.equal(getIpOption(release, DhcpOption.ServerIdentifier), '10.99.0.1');
});

test('every captured packet round-trips byte for byte', () => {
  for (const name of allFixtures) {
    for (const [i, d] of fixture(name).entries()) {
      const p = decodeOk(d.payload);
      const again = encodePacket(p, { minBytes: d.payload.length, maxBytes: 1472 });
      assert.ok(again.equals(d.payload), `${name} packet ${i} differs after round trip`);
    }
  }
});

test('every truncation before END gives a reason, never an exception', () => {
  for (const name of allFixtures) {
    for (const d of fixture(name)) {
      const end = endOffset(d.payload);
      for (let cut = 0; cut <= end; cut++) {
        const r = decodePacket(d.payload.subarray(0, cut));
        assert.equal(r.ok, false, `${name}: ${cut}-byte prefix decoded`);
        if (!r.ok) assert.match(r.reason, /^[a-z-]+[A-Za-z-]*$/);
      }
    }
  }
});

test('targeted corruptions each give their reason', () => {
  const [d] = fixture('udhcpc.pcap');
  assert.ok(d);
  const corrupt = (at: number, value: number) => { const b = Buffer.from(d.payload); b[at] = value; return decodePacket(b); };
  assert.deepEqual(corrupt(0, 7), { ok: false, reason: 'bad-op' });
  assert.deepEqual(corrupt(2, 17), { ok: false, reason: 'bad-hlen' });
  assert.deepEqual(corrupt(236, 0), { ok: false, reason: 'bad-magic-cookie' });
  // options start at 240 with udhcpc's option 53: length 1, value 1.
  assert.equal(d.payload[240], DhcpOption.MessageType);
  assert.deepEqual(corrupt(242, 0), { ok: false, reason: 'bad-message-type' });
  assert.deepEqual(corrupt(241, 255), { ok: false, reason: 'truncated-option-in-options' });
  // Overload claims the file field holds options, but it holds zeros then no END.
  const over = Buffer.concat([d.payload.subarray(0, 240), Buffer.from([DhcpOption.OptionOverload, 1, 1]), d.payload.subarray(240)]);
  over.fill(0x01, 108, 236);
  assert.deepEqual(decodePacket(over), { ok: false, reason: 'truncated-option-in-file' });
  const twoByteType = encodePacket(sampleReply([[DhcpOption.MessageType, Buffer.from([1, 1])]]));
  assert.deepEqual(decodePacket(twoByteType), { ok: false, reason: 'bad-length-MessageType' });
});

test('random mutations never throw', () => {
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const sources = allFixtures.flatMap((n) => fixture(n).map((d) => d.payload));
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    const base = sources[rand() % sources.length]!;
    const b = Buffer.from(base.subarray(0, rand() % (base.length + 1)));
    for (let k = rand() % 8; k > 0 && b.length > 0; k--) b[rand() % b.length] = rand() & 255;
    const r = decodePacket(b);
    if (!r.ok) rejected++;
    else encodePacket(r.packet, { maxBytes: 1472 });
  }
  assert.ok(rejected > 1000, `only ${rejected} of 20000 mutations rejected`);
});

function sampleReply(options: Array<[number, Buffer]>, bootFileName = ''): DhcpPacket {
  return {
    op: BootpOp.Reply, htype: 1, hlen: 6, hops: 0, xid: 0x01020304, secs: 0, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '10.0.0.5', siaddr: '10.0.0.1', giaddr: '0.0.0.0',
    chaddr: macToChaddr('52:54:00:aa:bb:cc'), serverName: '', bootFileName, options: new Map(options),
  };
}

test('an option longer than 255 bytes is split and joined again (RFC 3396)', () => {
  const long = Buffer.alloc(600, 0x61);
  const bytes = encodePacket(sampleReply([[DhcpOption.MessageType, Buffer.from([MessageType.Ack])], [DhcpOption.VendorSpecific, long]]), { maxBytes: 1472 });
  const p = decodeOk(bytes);
  assert.ok(p.options.get(DhcpOption.VendorSpecific)?.equals(long));
});

test('options past 576 bytes overflow into file and sname (option 52) and decode back', () => {
  const options: Array<[number, Buffer]> = [[DhcpOption.MessageType, Buffer.from([MessageType.Offer])]];
  for (let code = 200; code < 203; code++) options.push([code, Buffer.alloc(120, code)]);
  const bytes = encodePacket(sampleReply(options));
  assert.ok(bytes.length <= 548, `message is ${bytes.length} bytes`);
  const p = decodeOk(bytes);
  for (const [code, value] of options) assert.ok(p.options.get(code)?.equals(value), `option ${code} lost`);
  assert.equal(p.bootFileName, '');
  // With a boot file set, only sname is free: 3×120 bytes no longer fit and the caller learns it.
  assert.throws(() => encodePacket(sampleReply(options, 'pxelinux.0')), /do not fit/);
});

test('relay agent information and iPXE user class parse', () => {
  const p = sampleReply([
    [DhcpOption.RelayAgentInformation, Buffer.from([RelayAgentSubOption.CircuitId, 3, 0x65, 0x74, 0x68, RelayAgentSubOption.RemoteId, 1, 0x09])],
    [DhcpOption.UserClass, Buffer.from('iPXE')],
  ]);
  const info = getRelayAgentInfo(p);
  assert.equal(info?.get(RelayAgentSubOption.CircuitId)?.toString(), 'eth');
  assert.deepEqual(getUserClasses(p), ['iPXE']);
  p.options.set(DhcpOption.RelayAgentInformation, Buffer.from([1, 9, 0]));
  assert.equal(getRelayAgentInfo(p), null);
});
