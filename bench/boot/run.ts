// Boot-to-up benchmark: Fleetboot (bootd: DHCP → iPXE script → kernel, initrd, rootfs over
// HTTP) against a reference chain in the same run and the same lab (dnsmasq DHCP + TFTP:
// pxelinux.0 → kernel + initrd over TFTP for BIOS; ipxe.efi → a static iPXE script → kernel +
// initrd over TFTP for UEFI), with the same kernel, agent initrd and rootfs. The reference's
// agent talks to a static web server (reference-server.ts) for its identity, rootfs and "up".
// Time is from VM start to the moment the server received "up".
//   bash scripts/with-test-db.sh npx tsx bench/boot/run.ts [--scenarios bios1,uefi1,bios4,bios8]
import fs from 'node:fs';
import path from 'node:path';
import { QemuLab, bootLabSkipReason, repoRoot, serverAddress, type Vm } from '../../e2e/boot/qemu-lab.ts';

/** Fails a run at once when a guest kernel panicked (instead of waiting out the deadline). */
function panicked(vms: Vm[]): string | null {
  const vm = vms.find((v) => v.console().includes('Kernel panic'));
  return vm ? `${vm.name}: ${vm.console().split('\n').find((l) => l.includes('Kernel panic'))}` : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const referencePort = 8081;

interface Scenario { name: string; firmware: 'bios' | 'uefi'; vms: number }
const allScenarios: Scenario[] = [
  { name: 'bios1', firmware: 'bios', vms: 1 },
  { name: 'uefi1', firmware: 'uefi', vms: 1 },
  { name: 'bios4', firmware: 'bios', vms: 4 },
  { name: 'bios8', firmware: 'bios', vms: 8 },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const macOf = (i: number) => `52:54:00:be:00:${String(i + 1).padStart(2, '0')}`;
const ipOf = (i: number) => `10.66.0.${60 + i}`;

function writeReferenceTftpRoot(lab: QemuLab): string {
  const root = path.join(lab.tmp, 'ref-tftp');
  fs.mkdirSync(path.join(root, 'pxelinux.cfg'), { recursive: true });
  fs.copyFileSync('/usr/lib/PXELINUX/pxelinux.0', path.join(root, 'pxelinux.0'));
  fs.copyFileSync('/usr/lib/syslinux/modules/bios/ldlinux.c32', path.join(root, 'ldlinux.c32'));
  fs.copyFileSync('/usr/lib/ipxe/ipxe.efi', path.join(root, 'ipxe.efi'));
  fs.copyFileSync(lab.sample.kernel.path, path.join(root, 'vmlinuz'));
  fs.copyFileSync(lab.sample.initrd.path, path.join(root, 'initrd'));
  // The same parameters as the lab role's (labCmdlineTemplate), pointing at the reference server.
  const cmdline = `console=ttyS0 no_timer_check fleetboot.bootd=http://${serverAddress}:${referencePort}`;
  fs.writeFileSync(path.join(root, 'pxelinux.cfg', 'default'), `DEFAULT ref\nPROMPT 0\nTIMEOUT 0\nLABEL ref\n  KERNEL vmlinuz\n  INITRD initrd\n  APPEND ${cmdline}\n  IPAPPEND 2\n`);
  fs.writeFileSync(path.join(root, 'boot.ipxe'), `#!ipxe\nkernel tftp://${serverAddress}/vmlinuz initrd=initrd ${cmdline} BOOTIF=01-\${netX/mac:hexhyp}\ninitrd --name initrd tftp://${serverAddress}/initrd\nboot\n`);
  return root;
}

async function runReference(lab: QemuLab, s: Scenario, tftpRoot: string): Promise<number[]> {
  // As root: the lab's directories are private (mode 700) and dnsmasq would drop to nobody.
  const dnsmasq = lab.server.spawn('dnsmasq', ['--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--user=root', '--group=root', `--dhcp-leasefile=${path.join(lab.tmp, 'ref.leases')}`, `--interface=${lab.bridge}`, '--bind-interfaces',
    '--dhcp-range=10.66.0.100,10.66.0.150,255.255.255.0,10m', ...Array.from({ length: s.vms }, (_, i) => `--dhcp-host=${macOf(i)},${ipOf(i)}`),
    '--enable-tftp', `--tftp-root=${tftpRoot}`, '--dhcp-userclass=set:ipxe,iPXE', '--dhcp-match=set:bios,option:client-arch,0',
    '--dhcp-match=set:efi,option:client-arch,7', '--dhcp-boot=tag:bios,pxelinux.0', '--dhcp-boot=tag:efi,tag:!ipxe,ipxe.efi',
    '--dhcp-boot=tag:efi,tag:ipxe,boot.ipxe', `--pid-file=${path.join(lab.tmp, 'ref-dnsmasq.pid')}`, '--log-facility=-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let dnsmasqLog = '';
  dnsmasq.stderr!.on('data', (d: Buffer) => { dnsmasqLog += d.toString(); });
  const server = lab.server.spawn('node', ['--import', 'tsx', path.join(repoRoot, 'bench/boot/reference-server.ts'), String(referencePort), lab.sample.rootfs.path, lab.sample.rootfs.sha256], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const ups = new Map<string, number>();
  let out = '';
  server.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of out.split('\n').slice(0, -1)) {
      const e = JSON.parse(line) as { event: string; mac?: string; atMs?: number };
      if (e.event === 'up' && e.mac && !ups.has(e.mac)) ups.set(e.mac, e.atMs!);
    }
    out = out.slice(out.lastIndexOf('\n') + 1);
  });
  await sleep(1500);
  if (dnsmasq.exitCode !== null) throw new Error(`reference dnsmasq exited: ${dnsmasqLog}`);
  const vms: Vm[] = [];
  try {
    for (let i = 0; i < s.vms; i++) vms.push(lab.startVm({ name: `ref-${s.name}-${i}`, mac: macOf(i), firmware: s.firmware }));
    const deadline = Date.now() + 300_000;
    while (ups.size < s.vms && Date.now() < deadline) {
      const panic = panicked(vms);
      if (panic) throw new Error(`reference ${s.name}: ${panic}`);
      await sleep(200);
    }
    if (ups.size < s.vms) throw new Error(`reference ${s.name}: only ${ups.size}/${s.vms} up`);
    return vms.map((vm) => ups.get(vm.mac)! - vm.startedAtMs);
  } finally {
    for (const vm of vms) await lab.stopVm(vm);
    dnsmasq.kill('SIGTERM');
    server.kill('SIGTERM');
    await sleep(500);
  }
}

async function runFleetboot(lab: QemuLab, s: Scenario, hostIds: string[]): Promise<number[]> {
  await lab.startBootd();
  const vms: Vm[] = [];
  try {
    for (let i = 0; i < s.vms; i++) vms.push(lab.startVm({ name: `fb-${s.name}-${i}`, mac: macOf(i), firmware: s.firmware }));
    const startedAt = new Date(Math.min(...vms.map((v) => v.startedAtMs)));
    const deadline = Date.now() + 300_000;
    for (;;) {
      const panic = panicked(vms);
      if (panic) throw new Error(`fleetboot ${s.name}: ${panic}`);
      const r = await lab.pool.query<{ hostId: string; at: Date }>(
        `SELECT "hostId", min(at) AS at FROM "BootEvent" WHERE source = 'agent' AND type = 'up' AND at >= $1 AND "hostId" = ANY($2::uuid[]) GROUP BY "hostId"`,
        [startedAt, hostIds.slice(0, s.vms)],
      );
      if (r.rows.length === s.vms) {
        const at = new Map(r.rows.map((row) => [row.hostId, row.at.getTime()]));
        return vms.map((vm, i) => at.get(hostIds[i]!)! - vm.startedAtMs);
      }
      if (Date.now() > deadline) throw new Error(`fleetboot ${s.name}: only ${r.rows.length}/${s.vms} up`);
      await sleep(200);
    }
  } finally {
    for (const vm of vms) await lab.stopVm(vm);
    await lab.stopBootd();
  }
}

async function main(): Promise<void> {
  const skip = bootLabSkipReason();
  if (skip) throw new Error(skip);
  const wanted = (arg('--scenarios') ?? 'bios1,uefi1,bios4,bios8').split(',');
  const scenarios = allScenarios.filter((s) => wanted.includes(s.name));
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'ipxe' } });
  const rows: string[] = [];
  try {
    const hostIds: string[] = [];
    for (let i = 0; i < 8; i++) hostIds.push(await lab.addHost({ hostname: `bench${i + 1}`, mac: macOf(i), ip: ipOf(i) }));
    const tftpRoot = writeReferenceTftpRoot(lab);
    console.log(`accel ${lab.accel}; kernel ${lab.sample.kernel.sizeBytes} B, initrd ${lab.sample.initrd.sizeBytes} B, rootfs ${lab.sample.rootfs.sizeBytes} B`);
    for (const s of scenarios) {
      const ref = await runReference(lab, s, tftpRoot);
      const fb = await runFleetboot(lab, s, hostIds);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const row = `| ${s.name} | ${s.firmware} | ${s.vms} | ${(mean(fb) / 1000).toFixed(1)} | ${(Math.max(...fb) / 1000).toFixed(1)} | ${(mean(ref) / 1000).toFixed(1)} | ${(Math.max(...ref) / 1000).toFixed(1)} | ${(mean(fb) / mean(ref)).toFixed(2)} | ${(Math.max(...fb) / Math.max(...ref)).toFixed(2)} |`;
      rows.push(row);
      console.log(row);
    }
  } finally {
    await lab.dispose();
  }
  console.log('\n| scenario | firmware | VMs | Fleetboot mean s | Fleetboot last s | reference mean s | reference last s | ratio mean | ratio last |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
