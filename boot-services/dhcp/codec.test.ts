import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  decodePacket, encodePacket, getClientArchitectures, getClientMac, getClientMachineId, getClientNetworkInterface,
  getIpOption, getMaxMessageBytes, getMessageType, getParameterRequestList, getStringOption, getUint32Option, getUserClasses,
  getRelayAgentInfo, macToChaddr, type DhcpPacket,
} from './codec.ts';
import { BootpOp, DhcpOption, MessageType, RelayAgentSubOption } from '../../lib/dhcp/options.ts';
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

/** Firmware captures (capture-firmware.ts): QEMU VMs PXE-booting from bootd; the replies are bootd's. */
const firmwareFixtures = ['ipxe-rom-bios.pcap', 'ovmf-ipxe-efi.pcap', 'ipxe-rom-ovmf.pcap'];
const allFixtures = ['udhcpc.pcap', 'udhcpc-pxe.pcap', 'dhclient.pcap', ...firmwareFixtures];

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
  // udhcpc sent bytes a0b1c2d3 e4f5 a6b7 …: read in EFI GUID order (RFC 4578 §2.5, as firmware sends it).
  assert.equal(getClientMachineId(discover), 'd3c2b1a0-f5e4-b7a6-c8d9-e0f1a2b3c4d5');
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

/** A capture's packets grouped by exchange (xid), each group in wire order. */
function exchanges(name: string): DhcpPacket[][] {
  const byXid = new Map<number, DhcpPacket[]>();
  for (const d of fixture(name)) {
    const p = decodeOk(d.payload);
    byXid.set(p.xid, [...(byXid.get(p.xid) ?? []), p]);
  }
  return [...byXid.values()];
}

/** A DORA exchange: the four packets, each checked to be the message type its place says. */
function dora(packets: DhcpPacket[] | undefined): { discover: DhcpPacket; offer: DhcpPacket; request: DhcpPacket; ack: DhcpPacket } {
  assert.ok(packets);
  assert.deepEqual(packets.map(getMessageType), [MessageType.Discover, MessageType.Offer, MessageType.Request, MessageType.Ack]);
  const [discover, offer, request, ack] = packets as [DhcpPacket, DhcpPacket, DhcpPacket, DhcpPacket];
  for (const p of [discover, request]) assert.equal(p.op, BootpOp.Request);
  for (const p of [offer, ack]) assert.equal(p.op, BootpOp.Reply);
  return { discover, offer, request, ack };
}

/**
 * iPXE's encapsulated option 175 (iPXE include/ipxe/dhcp.h and features.h): sub-options in
 * option format. The codec keeps 175 opaque (policy only asks whether it is there); this reads
 * it for the tests: 0xb1 bus id, 0xeb version, 0x10-0x7f one "feature present" byte each.
 */
const ipxeFeatureNames: Record<number, string> = {
  0x10: 'pxe-ext', 0x11: 'iscsi', 0x12: 'aoe', 0x13: 'http', 0x14: 'https', 0x15: 'tftp', 0x16: 'ftp', 0x17: 'dns',
  0x18: 'bzimage', 0x19: 'multiboot', 0x1a: 'slam', 0x1b: 'srp', 0x20: 'nbi', 0x21: 'pxe', 0x22: 'elf', 0x23: 'comboot',
  0x24: 'efi', 0x25: 'fcoe', 0x26: 'vlan', 0x27: 'menu', 0x28: 'sdi', 0x29: 'nfs',
};
function ipxeEncapsulated(p: DhcpPacket): { busId: string; version: string; features: string[]; pxeExt: number } {
  const v = p.options.get(DhcpOption.IpxeEncapsulated);
  assert.ok(v, 'no option 175');
  const subs = new Map<number, Buffer>();
  for (let i = 0; i < v.length; i += 2 + v[i + 1]!) {
    assert.ok(i + 2 + v[i + 1]! <= v.length, 'option 175 sub-option runs past its end');
    subs.set(v[i]!, v.subarray(i + 2, i + 2 + v[i + 1]!));
  }
  const bus = subs.get(0xb1)!;
  const version = subs.get(0xeb)!;
  const features = [...subs.keys()].filter((k) => k >= 0x10 && k <= 0x7f).sort((a, b) => a - b).map((k) => ipxeFeatureNames[k] ?? `0x${k.toString(16)}`);
  return {
    busId: `${bus[0] === 1 ? 'pci' : bus[0]} ${bus.readUInt16BE(1).toString(16)}:${bus.readUInt16BE(3).toString(16)}`,
    version: [...version].join('.'),
    features,
    pxeExt: subs.get(0x10)?.[0] ?? 0,
  };
}

/** Option codes in the order the client wrote them (the decoder keeps wire order). */
const codes = (p: DhcpPacket) => [...p.options.keys()];

const ipxeRequestList = [1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203];
const ovmfRequestList = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135];
const scriptUrl = (mac: string) => `http://10.66.0.1:8080/boot/v1/ipxe/${mac}`;

/** bootd's reply as captured: addresses, boot file in both the file field and option 67, PXE options. */
function assertBootdReply(reply: DhcpPacket, request: DhcpPacket, ip: string, bootFile: string, hostname: string): void {
  assert.equal(reply.xid, request.xid);
  assert.equal(reply.flags, request.flags, 'flags echoed (RFC 2131 §4.3.1 table 3)');
  assert.ok(reply.chaddr.equals(request.chaddr));
  assert.equal(reply.yiaddr, ip);
  assert.equal(reply.siaddr, '10.66.0.1');
  assert.equal(reply.bootFileName, bootFile);
  assert.equal(getStringOption(reply, DhcpOption.BootfileName), bootFile);
  assert.equal(getStringOption(reply, DhcpOption.TftpServerName), '10.66.0.1');
  assert.equal(getStringOption(reply, DhcpOption.HostName), hostname);
  assert.equal(getIpOption(reply, DhcpOption.ServerIdentifier), '10.66.0.1');
  assert.equal(getIpOption(reply, DhcpOption.SubnetMask), '255.255.255.0');
  assert.equal(getUint32Option(reply, DhcpOption.IpAddressLeaseTime), 600);
  assert.equal(getStringOption(reply, DhcpOption.VendorClassIdentifier), 'PXEClient');
  // PXE spec 2.1 vendor option 43: PXE_DISCOVERY_CONTROL (6) = 8, then END.
  assert.deepEqual([...reply.options.get(DhcpOption.VendorSpecific)!], [6, 1, 8, 255]);
  // Option 7 (bootd's syslog receiver) only to clients that ask for it: iPXE does, OVMF doesn't.
  const asked = getParameterRequestList(request).includes(DhcpOption.LogServer);
  assert.equal(getIpOption(reply, DhcpOption.LogServer), asked ? '10.66.0.1' : null);
}

test('iPXE ROM under SeaBIOS (arch 0): its own DORA with 175 and 77, bootd hands it pxelinux.0', () => {
  const all = exchanges('ipxe-rom-bios.pcap');
  assert.equal(all.length, 1);
  const { discover, offer, request, ack } = dora(all[0]);
  const mac = '52:54:00:fb:00:01';
  for (const p of [discover, request]) {
    assert.equal(p.htype, 1);
    assert.equal(p.hlen, 6);
    assert.equal(p.xid, 0x4d708031);
    assert.equal(p.flags, 0, 'iPXE asks for unicast replies');
    assert.equal(getClientMac(p), mac);
    assert.deepEqual(getClientArchitectures(p), [0]);
    assert.deepEqual(getClientNetworkInterface(p), { type: 1, major: 2, minor: 1 });
    assert.equal(getStringOption(p, DhcpOption.VendorClassIdentifier), 'PXEClient:Arch:00000:UNDI:002001');
    // iPXE writes option 77 as the bare string, not RFC 3004's length-prefixed list.
    assert.equal(p.options.get(DhcpOption.UserClass)?.toString('latin1'), 'iPXE');
    assert.deepEqual(getUserClasses(p), ['iPXE']);
    assert.deepEqual(ipxeEncapsulated(p), {
      busId: 'pci 1af4:1000', version: '1.0.0', pxeExt: 2,
      features: ['pxe-ext', 'iscsi', 'aoe', 'http', 'tftp', 'dns', 'bzimage', 'multiboot', 'pxe', 'elf', 'menu', 'nfs'],
    });
    assert.deepEqual(getParameterRequestList(p), ipxeRequestList);
    assert.equal(p.options.get(DhcpOption.MaximumMessageSize)?.readUInt16BE(0), 1472);
    assert.equal(getMaxMessageBytes(p), 1472 - 28);
    // RFC 2132 §9.14 client id: hardware type 1 then the MAC.
    assert.equal(p.options.get(DhcpOption.ClientIdentifier)?.toString('hex'), '01525400fb0001');
  }
  assert.equal(discover.secs, 4);
  assert.deepEqual(codes(discover), [53, 57, 93, 94, 60, 77, 55, 175, 61, 97]);
  assert.deepEqual(codes(request), [53, 57, 93, 94, 60, 77, 55, 175, 61, 97, 54, 50]);
  assert.equal(getIpOption(request, DhcpOption.ServerIdentifier), '10.66.0.1');
  assert.equal(getIpOption(request, DhcpOption.RequestedIpAddress), '10.66.0.21');
  assertBootdReply(offer, discover, '10.66.0.21', 'pxelinux.0', 'ipxe-rom-bios');
  assertBootdReply(ack, request, '10.66.0.21', 'pxelinux.0', 'ipxe-rom-bios');
});

test('OVMF PXE (arch 7) DORA, then the ipxe.efi it chainloads asks again with 175/77 and gets its script URL', () => {
  const all = exchanges('ovmf-ipxe-efi.pcap');
  assert.equal(all.length, 2, 'one exchange by OVMF, one by ipxe.efi');
  const mac = '52:54:00:fb:00:02';
  const ovmf = dora(all[0]);
  for (const p of [ovmf.discover, ovmf.request]) {
    assert.equal(p.xid, 0x3e4addde);
    assert.equal(p.flags, 0x8000, 'OVMF sets the broadcast bit');
    assert.equal(p.secs, 0);
    assert.equal(getClientMac(p), mac);
    assert.deepEqual(getClientArchitectures(p), [7]);
    assert.deepEqual(getClientNetworkInterface(p), { type: 1, major: 3, minor: 0 });
    assert.equal(getStringOption(p, DhcpOption.VendorClassIdentifier), 'PXEClient:Arch:00007:UNDI:003000');
    assert.deepEqual(getParameterRequestList(p), ovmfRequestList);
    // EDK2's PXE sends no client id, no user class and nothing of iPXE's.
    for (const absent of [DhcpOption.ClientIdentifier, DhcpOption.UserClass, DhcpOption.IpxeEncapsulated]) assert.equal(p.options.has(absent), false);
  }
  assert.deepEqual(codes(ovmf.discover), [53, 57, 55, 97, 94, 93, 60]);
  assert.deepEqual(codes(ovmf.request), [53, 54, 50, 57, 55, 97, 94, 93, 60]);
  // Option 57: 1472 in the DISCOVER, 0xff00 in the REQUEST; bootd never answers past Ethernet's 1500.
  assert.equal(ovmf.discover.options.get(DhcpOption.MaximumMessageSize)?.readUInt16BE(0), 1472);
  assert.equal(ovmf.request.options.get(DhcpOption.MaximumMessageSize)?.readUInt16BE(0), 0xff00);
  assert.equal(getMaxMessageBytes(ovmf.request), 1500 - 28);
  assertBootdReply(ovmf.offer, ovmf.discover, '10.66.0.22', 'ipxe.efi', 'ovmf-ipxe-efi');
  assertBootdReply(ovmf.ack, ovmf.request, '10.66.0.22', 'ipxe.efi', 'ovmf-ipxe-efi');

  const ipxe = dora(all[1]);
  for (const p of [ipxe.discover, ipxe.request]) {
    assert.equal(p.xid, 0xff9e4040);
    assert.equal(p.flags, 0);
    assert.equal(getClientMac(p), mac);
    assert.deepEqual(getClientArchitectures(p), [7]);
    assert.deepEqual(getClientNetworkInterface(p), { type: 1, major: 3, minor: 10 });
    assert.equal(getStringOption(p, DhcpOption.VendorClassIdentifier), 'PXEClient:Arch:00007:UNDI:003010');
    assert.deepEqual(getUserClasses(p), ['iPXE']);
    assert.deepEqual(ipxeEncapsulated(p), {
      busId: 'pci 1af4:1000', version: '1.0.0', pxeExt: 0,
      features: ['iscsi', 'aoe', 'http', 'tftp', 'dns', 'srp', 'efi', 'menu', 'nfs'],
    });
    assert.deepEqual(getParameterRequestList(p), ipxeRequestList);
    assert.equal(getMaxMessageBytes(p), 1472 - 28);
    assert.equal(p.options.get(DhcpOption.ClientIdentifier)?.toString('hex'), '01525400fb0002');
  }
  assert.deepEqual(codes(ipxe.discover), [53, 57, 93, 94, 60, 77, 55, 175, 61, 97]);
  assertBootdReply(ipxe.offer, ipxe.discover, '10.66.0.22', scriptUrl(mac), 'ovmf-ipxe-efi');
  assertBootdReply(ipxe.ack, ipxe.request, '10.66.0.22', scriptUrl(mac), 'ovmf-ipxe-efi');
});

test('QEMU\'s EFI iPXE ROM under OVMF (arch 7, 175 with efi) gets its script URL straight away', () => {
  const all = exchanges('ipxe-rom-ovmf.pcap');
  assert.equal(all.length, 1);
  const { discover, offer, request, ack } = dora(all[0]);
  const mac = '52:54:00:fb:00:03';
  for (const p of [discover, request]) {
    assert.equal(p.xid, 0xd551680e);
    assert.equal(getClientMac(p), mac);
    assert.deepEqual(getClientArchitectures(p), [7]);
    assert.deepEqual(getClientNetworkInterface(p), { type: 1, major: 3, minor: 10 });
    assert.equal(getStringOption(p, DhcpOption.VendorClassIdentifier), 'PXEClient:Arch:00007:UNDI:003010');
    assert.deepEqual(getUserClasses(p), ['iPXE']);
    assert.deepEqual(ipxeEncapsulated(p), {
      busId: 'pci 1af4:1000', version: '1.0.0', pxeExt: 0,
      features: ['iscsi', 'aoe', 'http', 'tftp', 'dns', 'efi', 'menu', 'nfs'],
    });
    assert.deepEqual(getParameterRequestList(p), ipxeRequestList);
  }
  assertBootdReply(offer, discover, '10.66.0.23', scriptUrl(mac), 'ipxe-rom-ovmf');
  assertBootdReply(ack, request, '10.66.0.23', scriptUrl(mac), 'ipxe-rom-ovmf');
});

/**
 * QEMU -uuid 0c1f2e3d-4b5a-4697-8877-a1b2c3d4e50N (SMBIOS type 1). Both OVMF and iPXE send
 * option 97 in EFI GUID byte order: the first three fields little-endian (iPXE dhcp.c: "RFC4578
 * suggests that it follows the EFI spec"), so the wire bytes are 3d2e1f0c 5a4b 9746 8877 ….
 */
const firmwareUuids: Array<[string, string]> = [
  ['ipxe-rom-bios.pcap', '0c1f2e3d-4b5a-4697-8877-a1b2c3d4e501'],
  ['ovmf-ipxe-efi.pcap', '0c1f2e3d-4b5a-4697-8877-a1b2c3d4e502'],
  ['ipxe-rom-ovmf.pcap', '0c1f2e3d-4b5a-4697-8877-a1b2c3d4e503'],
];
const efiGuidBytes = (uuid: string) => {
  const b = Buffer.from(uuid.replace(/-/g, ''), 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
};

test('firmware option 97 carries the SMBIOS UUID in EFI GUID byte order (OVMF and iPXE agree)', () => {
  for (const [name, uuid] of firmwareUuids) {
    for (const p of fixture(name).map((d) => decodeOk(d.payload)).filter((q) => q.op === BootpOp.Request)) {
      const v = p.options.get(DhcpOption.ClientMachineIdentifier);
      assert.ok(v?.length === 17, `${name}: option 97 length ${v?.length}`);
      assert.equal(v[0], 0, 'type 0: UUID/GUID (RFC 4578 §2.3)');
      assert.ok(v.subarray(1).equals(efiGuidBytes(uuid)), `${name}: ${v.subarray(1).toString('hex')}`);
    }
  }
});

test('getClientMachineId names the machine\'s SMBIOS UUID (as QEMU -uuid, dmidecode and the agent\'s facts.uuid show it)', () => {
  for (const [name, uuid] of firmwareUuids) {
    const [discover] = fixture(name).map((d) => decodeOk(d.payload));
    assert.ok(discover);
    assert.equal(getClientMachineId(discover), uuid);
  }
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

test('firmware packets round-trip with no help: END is their last byte, no PAD, nothing after END', () => {
  // So the RFC's latitude (RFC 2132 §3.1 PAD, RFC 1542 §3.5 / RFC 2131 §2 padding to 300 bytes,
  // option order) isn't needed for these: the encoder's own defaults give the exact bytes.
  for (const name of firmwareFixtures) {
    for (const [i, d] of fixture(name).entries()) {
      assert.equal(endOffset(d.payload), d.payload.length - 1, `${name} packet ${i}: bytes after END`);
      const again = encodePacket(decodeOk(d.payload));
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
