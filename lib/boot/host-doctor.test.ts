import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeBootView, host, image, role } from './testing/fake-boot-view.ts';
import type { NetworkView } from './boot-view.ts';
import { diagnoseHost, summarizeFleet, type DoctorContext } from './host-doctor.ts';
import { renderGrubConfig, renderIpxeScript, renderPxelinuxConfig } from './boot-configs.ts';
import { planBootForHost } from './boot-plan.ts';

const art = (c: string) => ({ sha256: c.repeat(64), sizeBytes: 10, path: `/a/${c}` });
const lab: NetworkView = {
  id: 'n-lab', name: 'lab', cidr: '10.66.0.0/24', gateway: null, dnsServers: [], domain: null, bootServer: '10.66.0.1',
  poolStart: '10.66.0.100', poolEnd: '10.66.0.150', leaseSeconds: 600, relayAddresses: [], discoveryEnabled: true, servedBy: [],
  ipv6Prefix: null, ipv6PoolStart: null, ipv6PoolEnd: null, ipv6BootServer: null,
};

function fleet(): FakeBootView {
  const view = new FakeBootView();
  view.networkList = [lab];
  view.roles = [
    role({ id: 'r-web', name: 'web', activeImageId: 'img-1' }),
    role({ id: 'r-empty', name: 'empty' }),
    role({ id: 'r-ipxe', name: 'lvs', bootLoader: 'ipxe', activeImageId: 'img-2', cmdlineTemplate: 'console=ttyS0 x={nope}' }),
  ];
  view.images = [
    image({ id: 'img-1', roleId: 'r-web', version: '7', kernel: art('k'), initrd: art('i'), rootfs: art('r') }),
    image({ id: 'img-2', roleId: 'r-ipxe', version: '2', kernel: art('k'), initrd: art('i'), rootfs: null }),
  ];
  view.hosts = [
    host({ id: 'h-ok', hostname: 'web01', mac: '52:54:00:00:00:01', ip: '10.66.0.11', networkId: 'n-lab', roleId: 'r-web' }),
    host({ id: 'h-noimg', hostname: 'db01', mac: '52:54:00:00:00:02', ip: null, networkId: 'n-lab', roleId: 'r-empty' }),
    host({ id: 'h-nomac', hostname: 'pre01', mac: null, ip: '10.66.0.21', networkId: 'n-lab', roleId: 'r-web' }),
    host({ id: 'h-ipxe', hostname: 'lvs01', mac: '52:54:00:00:00:04', ip: '10.66.0.14', networkId: 'n-lab', roleId: 'r-ipxe' }),
    host({ id: 'h-outside', hostname: 'odd01', mac: '52:54:00:00:00:05', ip: '10.99.0.5', networkId: 'n-lab', roleId: 'r-web' }),
  ];
  return view;
}
const ctxOf = (view: FakeBootView): DoctorContext => ({ view, bootServer: { serverAddress: '10.66.0.1', httpBaseUrl: 'http://10.66.0.1:8080' } });

test('a healthy BIOS host: every check ok, pxelinux.0 then its config, the text bootd serves verbatim', () => {
  const view = fleet();
  const d = diagnoseHost(ctxOf(view), view.findHostById('h-ok')!);
  assert.equal(d.canBoot, true, JSON.stringify(d.checks));
  const bios = d.firmwares.find((f) => f.firmware === 'bios')!;
  assert.equal(bios.dhcpBootFile, 'pxelinux.0');
  assert.equal(bios.config?.name, 'pxelinux.cfg/01-52-54-00-00-00-01');
  assert.equal(bios.config?.text, renderPxelinuxConfig(planBootForHost({ view, httpBaseUrl: 'http://10.66.0.1:8080' }, view.findHostById('h-ok')!)));
  assert.deepEqual(bios.chain.map((s) => s.file), ['pxelinux.0', 'pxelinux.cfg/01-52-54-00-00-00-01', 'images/img-1/kernel', 'images/img-1/initrd', 'images/img-1/rootfs']);
  const uefi = d.firmwares.find((f) => f.firmware === 'uefi')!;
  assert.equal(uefi.dhcpBootFile, 'ipxe.efi');
  assert.equal(uefi.config?.name, 'http://10.66.0.1:8080/boot/v1/ipxe/52:54:00:00:00:01');
  assert.match(d.cmdline ?? '', /fleetboot\.host=web01 fleetboot\.role=web fleetboot\.root=ram/);
});

test('a host whose role has no image can\'t boot, and says so with the fix', () => {
  const view = fleet();
  const d = diagnoseHost(ctxOf(view), view.findHostById('h-noimg')!);
  assert.equal(d.canBoot, false);
  assert.equal(d.cause, 'role-without-image');
  const check = d.checks.find((c) => c.key === 'image')!;
  assert.match(check.detail, /role empty has no active image/);
  assert.match(check.hint ?? '', /Upload an image for the role/);
  assert.match(d.checks.find((c) => c.key === 'address')!.detail, /pool lease from lab \(10\.66\.0\.100–10\.66\.0\.150\)/);
  assert.match(d.firmwares[0]!.config!.text, /cannot boot: role empty has no active image; local disk instead/);
});

test('no MAC, a reservation outside the network, a ram image without rootfs, unknown cmdline placeholders', () => {
  const view = fleet();
  const noMac = diagnoseHost(ctxOf(view), view.findHostById('h-nomac')!);
  assert.equal(noMac.cause, 'no-mac');
  assert.deepEqual(noMac.firmwares, []);
  const outside = diagnoseHost(ctxOf(view), view.findHostById('h-outside')!);
  assert.equal(outside.cause, 'reservation-outside-network');
  const ipxe = diagnoseHost(ctxOf(view), view.findHostById('h-ipxe')!);
  assert.equal(ipxe.cause, 'rootfs-missing');
  assert.match(ipxe.checks.find((c) => c.key === 'image')!.detail, /ram root mode, which needs: rootfs tarball/);
  assert.equal(ipxe.checks.find((c) => c.key === 'cmdline')!.status, 'warn');
  const bios = ipxe.firmwares.find((f) => f.firmware === 'bios')!;
  assert.equal(bios.dhcpBootFile, 'undionly.kpxe', 'an iPXE role\'s BIOS hosts chain to iPXE');
  assert.equal(bios.config?.text, renderIpxeScript(planBootForHost({ view, httpBaseUrl: 'http://10.66.0.1:8080' }, view.findHostById('h-ipxe')!), 'http://10.66.0.1:8080'));
});

test('the fleet summary groups the hosts that can\'t boot by cause, most first', () => {
  const view = fleet();
  view.hosts.push(host({ id: 'h-noimg2', hostname: 'db02', mac: '52:54:00:00:00:06', networkId: 'n-lab', roleId: 'r-empty' }));
  const s = summarizeFleet(view.hosts.map((h) => diagnoseHost(ctxOf(view), h)));
  assert.equal(s.hosts, 6);
  assert.equal(s.cannotBoot, 5);
  assert.deepEqual(s.groups[0], { cause: 'role-without-image', text: 'role has no active image', hosts: [{ id: 'h-noimg', hostname: 'db01' }, { id: 'h-noimg2', hostname: 'db02' }] });
});

test('a network served only by named boot servers that are gone: nothing answers its DHCP', () => {
  const view = fleet();
  view.networkList = [{ ...lab, servedBy: ['rack-a', 'rack-b'] }];
  const states = new Map([['rack-a', 'gone'], ['rack-b', 'revoked']] as const);
  const d = diagnoseHost({ ...ctxOf(view), bootServerStates: states }, view.findHostById('h-ok')!);
  assert.equal(d.cause, 'no-boot-server');
  assert.deepEqual(d.servedBy, [{ name: 'rack-a', state: 'gone' }, { name: 'rack-b', state: 'revoked' }]);
  assert.match(d.checks.find((c) => c.key === 'boot-server')!.detail, /served only by rack-a \(gone\), rack-b \(revoked\)/);
  const oneUp = diagnoseHost({ ...ctxOf(view), bootServerStates: new Map([['rack-a', 'healthy'], ['rack-b', 'gone']] as const) }, view.findHostById('h-ok')!);
  assert.equal(oneUp.canBoot, true);
  assert.equal(oneUp.checks.find((c) => c.key === 'boot-server')!.status, 'warn');
});

test('a relayed network: the path from the relay to the network\'s boot server', () => {
  const view = fleet();
  view.networkList = [{ ...lab, bootServer: '10.0.0.5', relayAddresses: ['10.66.0.254'] }];
  const d = diagnoseHost(ctxOf(view), view.findHostById('h-ok')!);
  assert.equal(d.relayPath, 'relay 10.66.0.254 (giaddr) → bootd 10.0.0.5');
  assert.equal(d.firmwares.find((f) => f.firmware === 'bios')!.nextServer, '10.0.0.5');
});

test('verdict only (the fleet summary): the same verdict and boot files, no chain after them, no config text', () => {
  const view = fleet();
  for (const h of view.hosts) {
    const full = diagnoseHost(ctxOf(view), h);
    const short = diagnoseHost({ ...ctxOf(view), verdictOnly: true }, h);
    assert.deepEqual({ canBoot: short.canBoot, cause: short.cause, checks: short.checks }, { canBoot: full.canBoot, cause: full.cause, checks: full.checks }, h.hostname);
    assert.deepEqual(short.firmwares.map((f) => [f.dhcpBootFile, f.chain.length, f.config]), full.firmwares.map((f) => [f.dhcpBootFile, 1, null]));
  }
});

test('a Secure Boot role: UEFI gets shim, then grubx64.efi beside it, then grub/grub.cfg, and the GRUB config bootd serves', () => {
  const view = fleet();
  view.roles = view.roles.map((r) => (r.id === 'r-web' ? { ...r, uefiBootChain: 'secure_boot' as const } : r));
  const d = diagnoseHost(ctxOf(view), view.findHostById('h-ok')!);
  const uefi = d.firmwares.find((f) => f.firmware === 'uefi')!;
  assert.equal(uefi.dhcpBootFile, 'shimx64.efi');
  assert.deepEqual(uefi.chain.slice(0, 3).map((s) => [s.file, s.over]), [['shimx64.efi', 'tftp'], ['grubx64.efi', 'tftp'], ['grub/grub.cfg', 'tftp']]);
  assert.equal(uefi.config?.text, renderGrubConfig(planBootForHost({ view, httpBaseUrl: 'http://10.66.0.1:8080' }, view.findHostById('h-ok')!)));
  const http = d.firmwares.find((f) => f.firmware === 'uefi-http')!;
  assert.equal(http.dhcpBootFile, 'http://10.66.0.1:8080/shimx64.efi');
  assert.deepEqual(http.chain.slice(1, 3).map((s) => s.over), ['http', 'http']);
});

test('what the image needs, as the image page says it: too little RAM for its ram root stops it; a kernel Secure Boot refuses is a note', () => {
  const view = fleet();
  const needs = 1024 ** 3;
  const short = diagnoseHost({ ...ctxOf(view), imageFacts: new Map([['img-1', { ramNeedBytes: needs }]]), hostMemoryBytes: new Map([['h-ok', 512 * 1024 ** 2]]) }, view.findHostById('h-ok')!);
  assert.equal(short.canBoot, false);
  assert.equal(short.cause, 'ram-too-small');
  assert.match(short.checks.find((c) => c.key === 'ram')?.detail ?? '', /It has 512 MiB of RAM .* needs at least 1\.0 GiB/);
  const fits = diagnoseHost({ ...ctxOf(view), imageFacts: new Map([['img-1', { ramNeedBytes: needs }]]), hostMemoryBytes: new Map([['h-ok', 2 * needs]]) }, view.findHostById('h-ok')!);
  assert.equal(fits.canBoot, true);
  assert.equal(fits.checks.find((c) => c.key === 'ram')?.status, 'ok');
  const unknownRam = diagnoseHost({ ...ctxOf(view), imageFacts: new Map([['img-1', { ramNeedBytes: needs }]]) }, view.findHostById('h-ok')!);
  assert.equal(unknownRam.checks.some((c) => c.key === 'ram'), false, 'no discovery facts: RAM not judged');

  view.roles = view.roles.map((r) => (r.id === 'r-web' ? { ...r, uefiBootChain: 'secure_boot' as const } : r));
  const refused = diagnoseHost({ ...ctxOf(view), imageFacts: new Map([['img-1', { secureBootRefusal: 'no Authenticode signature' }]]) }, view.findHostById('h-ok')!);
  assert.equal(refused.canBoot, true);
  const sb = refused.checks.find((c) => c.key === 'secure-boot');
  assert.equal(sb?.status, 'warn');
  assert.match(sb?.detail ?? '', /Secure Boot on would refuse its kernel: no Authenticode signature/);
});
