// The DHCP policy fed the firmware's own captured requests (capture-firmware.ts), as
// policy.test.ts does with hand-made ones: each firmware gets the boot file its architecture,
// its host's role and "already iPXE?" call for, and it is the file bootd sent in the capture.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodePacket, getMessageType, getStringOption, type DhcpPacket } from '../codec.ts';
import { MemoryLeaseStore } from '../lease-store.ts';
import { DhcpOption, MessageType } from '../../../lib/dhcp/options.ts';
import { DhcpPolicy, readClientTraits, type PolicyOutcome } from '../policy.ts';
import { labHost, labNetwork, labView, serverAddress, webRole } from './lab-view.ts';
import { readPcapUdp } from './pcap.ts';

// The capture lab's bootd: 10.66.0.1 (lab-view's serverAddress), HTTP on 8080, no separate boot server.
const config = { serverAddress, httpBaseUrl: 'http://10.66.0.1:8080' };

function packets(name: string): DhcpPacket[] {
  return readPcapUdp(fileURLToPath(new URL(`./${name}`, import.meta.url))).map((d) => {
    const r = decodePacket(d.payload);
    if (!r.ok) assert.fail(`${name}: ${r.reason}`);
    return r.packet;
  });
}

/** A view with one host for the captured MAC, its role booting `bootLoader`. */
function policyFor(mac: string, ip: string, bootLoader: 'pxelinux' | 'ipxe'): DhcpPolicy {
  const view = labView({
    networks: [labNetwork({ bootServer: null })],
    roles: [{ ...webRole, bootLoader }],
    hosts: [labHost({ mac, ip, hostname: 'fw01' })],
  });
  return new DhcpPolicy({ view, leases: new MemoryLeaseStore(), config, now: () => 1_000_000 });
}

async function bootFileFor(policy: DhcpPolicy, request: DhcpPacket): Promise<string> {
  const o: PolicyOutcome = await policy.handle(request);
  if (o.result !== 'replied') assert.fail(`ignored: ${o.reason}`);
  assert.equal(getStringOption(o.reply, DhcpOption.BootfileName), o.reply.bootFileName, 'option 67 and the file field agree');
  return o.reply.bootFileName;
}

/** Each client request of a capture with the boot file bootd sent back to it (the next reply with its xid). */
function requestsWithCapturedAnswer(name: string): Array<{ request: DhcpPacket; captured: string }> {
  const all = packets(name);
  return all.flatMap((p, i) => {
    if (getMessageType(p) !== MessageType.Discover && getMessageType(p) !== MessageType.Request) return [];
    const reply = all.slice(i + 1).find((q) => q.xid === p.xid && q.op === 2);
    assert.ok(reply, `${name}: no reply to packet ${i}`);
    return [{ request: p, captured: reply.bootFileName }];
  });
}

test('iPXE ROM under SeaBIOS (arch 0, 175): pxelinux.0 for a pxelinux role, its script URL for an iPXE role', async () => {
  const mac = '52:54:00:fb:00:01';
  const exchange = requestsWithCapturedAnswer('ipxe-rom-bios.pcap');
  assert.equal(exchange.length, 2);
  for (const { request, captured } of exchange) {
    const traits = readClientTraits(request);
    assert.deepEqual([traits.mac, traits.arch, traits.vendorClass, traits.isPxe, traits.isIpxe, traits.clientId],
      [mac, 0, 'PXEClient:Arch:00000:UNDI:002001', true, true, '01525400fb0001']);
    // The lab's role boots pxelinux: pxelinux runs on the ROM's PXE API and does no DHCP of its own.
    assert.equal(await bootFileFor(policyFor(mac, '10.66.0.21', 'pxelinux'), request), 'pxelinux.0');
    assert.equal(captured, 'pxelinux.0', 'what bootd sent in the capture');
    // Already iPXE: no undionly.kpxe chain (that would loop), straight to the script.
    assert.equal(await bootFileFor(policyFor(mac, '10.66.0.21', 'ipxe'), request), `http://10.66.0.1:8080/boot/v1/ipxe/${mac}`);
  }
});

test('OVMF PXE (arch 7, no 175) gets ipxe.efi whatever the role; the chainloaded ipxe.efi gets its script URL', async () => {
  const mac = '52:54:00:fb:00:02';
  const exchange = requestsWithCapturedAnswer('ovmf-ipxe-efi.pcap');
  assert.equal(exchange.length, 4);
  const script = `http://10.66.0.1:8080/boot/v1/ipxe/${mac}`;
  for (const [i, { request, captured }] of exchange.entries()) {
    const traits = readClientTraits(request);
    const firmware = i < 2 ? 'ovmf' : 'ipxe.efi';
    assert.equal(traits.arch, 7, firmware);
    assert.equal(traits.isPxe, true, firmware);
    assert.equal(traits.isIpxe, firmware === 'ipxe.efi', firmware);
    const expected = firmware === 'ovmf' ? 'ipxe.efi' : script;
    for (const role of ['pxelinux', 'ipxe'] as const) assert.equal(await bootFileFor(policyFor(mac, '10.66.0.22', role), request), expected, `${firmware}, ${role} role`);
    assert.equal(captured, expected, `${firmware}: what bootd sent in the capture`);
  }
});

test('QEMU\'s EFI iPXE ROM under OVMF (arch 7, 175) gets its script URL whatever the role', async () => {
  const mac = '52:54:00:fb:00:03';
  const exchange = requestsWithCapturedAnswer('ipxe-rom-ovmf.pcap');
  assert.equal(exchange.length, 2);
  for (const { request, captured } of exchange) {
    assert.equal(readClientTraits(request).isIpxe, true);
    for (const role of ['pxelinux', 'ipxe'] as const) assert.equal(await bootFileFor(policyFor(mac, '10.66.0.23', role), request), `http://10.66.0.1:8080/boot/v1/ipxe/${mac}`);
    assert.equal(captured, `http://10.66.0.1:8080/boot/v1/ipxe/${mac}`);
  }
});
