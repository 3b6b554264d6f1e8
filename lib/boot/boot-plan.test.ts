import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeBootView, host, image, role } from './testing/fake-boot-view.ts';
import { planBootForMac } from './boot-plan.ts';
import { renderGrubConfig, renderIpxeScript, renderPxelinuxConfig } from './boot-configs.ts';
import { renderCmdline } from './cmdline.ts';
import { BootFiles } from '../../boot-services/boot-config/boot-files.ts';

const base = 'http://10.66.0.1:8080';
const artifact = (name: string) => ({ sha256: name.padEnd(64, '0'), sizeBytes: 1, path: `/srv/${name}` });

function fleet(): FakeBootView {
  const view = new FakeBootView();
  view.roles.push(role({ id: 'r-web', name: 'web', activeImageId: 'img-web-2', cmdlineTemplate: 'console=ttyS0 fleetboot.host={hostname} ip={ip} root={rootMode} fleetboot.rootfs={rootfsUrl} sha={rootfsSha256} id={hostId}' }));
  view.roles.push(role({ id: 'r-db', name: 'db', rootMode: 'nfs', nfsExport: '10.66.0.1:/srv/db', activeImageId: 'img-db-1', cmdlineTemplate: 'root=/dev/nfs nfsroot={nfsExport} fleetboot.role={role}' }));
  view.images.push(image({ id: 'img-web-2', roleId: 'r-web', version: '2', kernel: artifact('k'), initrd: artifact('i'), rootfs: artifact('r') }));
  view.images.push(image({ id: 'img-web-1', roleId: 'r-web', version: '1', kernel: artifact('k1'), initrd: artifact('i1') }));
  view.images.push(image({ id: 'img-db-1', roleId: 'r-db', version: '1', kernel: artifact('kd'), initrd: artifact('id') }));
  view.hosts.push(host({ id: 'h-1', hostname: 'web01', mac: '52:54:00:00:00:01', ip: '10.66.0.21', roleId: 'r-web' }));
  return view;
}

test('a known host boots its role\'s active image with the rendered cmdline', () => {
  const plan = planBootForMac({ view: fleet(), httpBaseUrl: base }, '52:54:00:00:00:01');
  assert.equal(plan.kind, 'linux');
  const cfg = renderPxelinuxConfig(plan);
  assert.match(cfg, /^ {2}KERNEL images\/img-web-2\/kernel$/m);
  assert.match(cfg, /^ {2}INITRD images\/img-web-2\/initrd$/m);
  assert.match(cfg, /^ {2}APPEND console=ttyS0 fleetboot\.host=web01 ip=10\.66\.0\.21 root=ram fleetboot\.rootfs=http:\/\/10\.66\.0\.1:8080\/boot\/v1\/images\/img-web-2\/rootfs sha=r0+ id=h-1 fleetboot\.bootd=http:\/\/10\.66\.0\.1:8080$/m);
});

test('an unknown MAC gets the discovery entry', () => {
  const cfg = renderPxelinuxConfig(planBootForMac({ view: fleet(), httpBaseUrl: base }, '52:54:00:00:00:99'));
  assert.match(cfg, /KERNEL discovery\/kernel/);
  assert.match(cfg, /APPEND fleetboot\.mode=discovery fleetboot\.bootd=http:\/\/10\.66\.0\.1:8080 fleetboot\.mac=52:54:00:00:00:99/);
});

test('changing the host\'s role changes the next answer', () => {
  const view = fleet();
  const ctx = { view, httpBaseUrl: base };
  assert.match(renderPxelinuxConfig(planBootForMac(ctx, '52:54:00:00:00:01')), /img-web-2/);
  view.hosts[0] = { ...view.hosts[0]!, roleId: 'r-db' };
  const cfg = renderPxelinuxConfig(planBootForMac(ctx, '52:54:00:00:00:01'));
  assert.match(cfg, /KERNEL images\/img-db-1\/kernel/);
  assert.match(cfg, /APPEND root=\/dev\/nfs nfsroot=10\.66\.0\.1:\/srv\/db fleetboot\.role=db/);
});

test('the host\'s image override wins over the role\'s active image', () => {
  const view = fleet();
  view.hosts[0] = { ...view.hosts[0]!, imageOverrideId: 'img-web-1' };
  assert.match(renderPxelinuxConfig(planBootForMac({ view, httpBaseUrl: base }, '52:54:00:00:00:01')), /KERNEL images\/img-web-1\/kernel/);
});

test('one-shot overrides: localdisk, memtest, rescue, image', () => {
  const view = fleet();
  const ctx = { view, httpBaseUrl: base };
  const withOverride = (o: 'localdisk' | 'memtest' | 'rescue' | 'image', imageOverrideId: string | null = null) => {
    view.hosts[0] = { ...view.hosts[0]!, bootOverride: o, imageOverrideId };
    return planBootForMac(ctx, '52:54:00:00:00:01');
  };
  assert.match(renderPxelinuxConfig(withOverride('localdisk')), /LOCALBOOT 0/);
  assert.match(renderIpxeScript(withOverride('localdisk'), base), /^exit$/m);
  assert.match(renderPxelinuxConfig(withOverride('memtest')), /KERNEL memtest86\+x64\.bin/);
  assert.match(renderPxelinuxConfig(withOverride('rescue')), /fleetboot\.mode=rescue/);
  assert.match(renderPxelinuxConfig(withOverride('image', 'img-web-1')), /images\/img-web-1\/kernel/);
});

test('a host whose role has no image is told why and boots its disk', () => {
  const view = fleet();
  view.roles[0] = { ...view.roles[0]!, activeImageId: null };
  const cfg = renderPxelinuxConfig(planBootForMac({ view, httpBaseUrl: base }, '52:54:00:00:00:01'));
  assert.match(cfg, /SAY Fleetboot: web01: cannot boot: role web has no active image/);
  assert.match(cfg, /LOCALBOOT 0/);
});

test('the iPXE script uses absolute URLs only', () => {
  const script = renderIpxeScript(planBootForMac({ view: fleet(), httpBaseUrl: base }, '52:54:00:00:00:01'), base);
  assert.match(script, /^#!ipxe$/m);
  assert.match(script, /^kernel http:\/\/10\.66\.0\.1:8080\/boot\/v1\/images\/img-web-2\/kernel initrd=initrd /m);
  assert.match(script, /^initrd --name initrd http:\/\/10\.66\.0\.1:8080\/boot\/v1\/images\/img-web-2\/initrd$/m);
  for (const line of script.split('\n').filter((l) => /^(kernel|initrd) /.test(l))) assert.doesNotMatch(line.split(' ').find((w) => w.includes('/boot/'))!, /^\//);
});

test('GRUB config names the same kernel and initrd', () => {
  const cfg = renderGrubConfig(planBootForMac({ view: fleet(), httpBaseUrl: base }, '52:54:00:00:00:01'));
  assert.match(cfg, /^linux \/images\/img-web-2\/kernel console=ttyS0/m);
  assert.match(cfg, /^initrd \/images\/img-web-2\/initrd$/m);
  assert.match(cfg, / BOOTIF=01-\$\{net_default_mac\}$/m, 'the agent learns the booting NIC from GRUB');
});

test('grub/grub.cfg: a client at a host\'s address gets its config; any other is sent on by MAC, colons or dashes', async () => {
  const files = new BootFiles({ view: () => fleet(), httpBaseUrl: base, bootloaders: new Map(), roots: [], discoveryKernelPath: '/nonexistent', discoveryInitrdPath: '/nonexistent' });
  const text = async (name: string, ip: string | null) => {
    const found = await files.lookup(name, ip);
    assert.ok(found.ok && found.file.kind === 'generated', name);
    return found.file.bytes.toString();
  };
  assert.match(await text('grub/grub.cfg', '10.66.0.21'), /^linux \/images\/img-web-2\/kernel /m);
  assert.match(await text('grub/grub.cfg', '10.66.0.150'), /^configfile \/grub\/grub\.cfg-01-\$\{net_default_mac\}$/m);
  assert.match(await text('grub/grub.cfg-01-52:54:00:00:00:01', null), /^linux \/images\/img-web-2\/kernel /m);
  assert.match(await text('grub/grub.cfg-01-52-54-00-00-00-01', null), /^linux \/images\/img-web-2\/kernel /m);
  assert.match(await text('grub/grub.cfg-01-52:54:00:99:00:01', null), /^linux \/discovery\/kernel fleetboot\.mode=discovery /m);
});

test('cmdline templates: unknown placeholders are kept and reported', () => {
  const vars = { hostname: 'h', ip: '', mac: '', role: 'r', rootMode: 'ram', kernelUrl: '', initrdUrl: '', rootfsUrl: '', rootfsSha256: '', bootdUrl: '', hostId: '', nfsExport: '', diskRoot: '' };
  assert.deepEqual(renderCmdline('a={hostname} b={bogus}', vars), { cmdline: 'a=h b={bogus}', unknownVariables: ['bogus'] });
});
