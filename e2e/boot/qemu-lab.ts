// The QEMU boot lab: a fresh migrated database with one network, the sample image built and
// registered (Debian kernel, agent initramfs, BusyBox rootfs), a namespace with a bridge
// (10.66.0.1/24) where the real bootd (boot-services/main.ts) is the only DHCP/TFTP/HTTP
// server, and VMs on taps of that bridge. dispose() kills every VM and bootd and deletes the
// namespaces, even after a failure.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';
import { NetnsLab, type LabNamespace } from '../../boot-services/testing/netns-lab.ts';
import { buildSampleImage, type SampleImage } from '../../scripts/sample-image.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const serverAddress = '10.66.0.1';
export const httpBaseUrl = `http://${serverAddress}:8080`;
export const networkId = '00000000-0000-4000-8000-0000000e0001';
/** Kernels downloaded once for every lab run (a cache, not test state). */
export const kernelCacheDir = process.env.FLEETBOOT_KERNEL_CACHE_DIR ?? '/var/tmp/fleetboot-cache/kernels';

/**
 * The sample role's cmdline in the labs: the default plus no_timer_check. Under TCG on a loaded
 * 2-core box the kernel's IO-APIC timer check can fail and panic ("IO-APIC + timer doesn't
 * work!", seen with 8 VMs at once); the check is pointless in a VM.
 */
export const labCmdlineTemplate = 'console=ttyS0 no_timer_check fleetboot.host={hostname} fleetboot.role={role} fleetboot.root={rootMode}';

export function bootLabSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'QEMU boot labs need root (namespaces, taps)';
  if (!process.env.FLEETBOOT_TEST_DATABASE_URL) return 'FLEETBOOT_TEST_DATABASE_URL not set (run through scripts/with-test-db.sh)';
  for (const tool of ['qemu-system-x86_64', 'ip', 'apt-get', 'dpkg-deb', 'depmod', 'dnsmasq']) {
    try { execFileSync('which', [tool], { stdio: 'ignore' }); } catch { return `${tool} is not installed`; }
  }
  for (const f of ['/bin/busybox', '/usr/lib/PXELINUX/pxelinux.0', '/usr/lib/ipxe/ipxe.efi', '/usr/share/OVMF/OVMF_CODE_4M.fd']) {
    if (!fs.existsSync(f)) return `${f} is missing (busybox-static, pxelinux, ipxe, ovmf)`;
  }
  return null;
}

/** The Secure Boot labs also need Microsoft-key OVMF and Debian's signed shim and network GRUB. */
export function secureBootLabSkipReason(): string | null {
  const base = bootLabSkipReason();
  if (base) return base;
  for (const f of ['/usr/share/OVMF/OVMF_CODE_4M.ms.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', '/usr/lib/shim/shimx64.efi.signed', '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed']) {
    if (!fs.existsSync(f)) return `${f} is missing (ovmf, shim-signed, grub-efi-amd64-signed)`;
  }
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The heavy labs (several VMs at once, reboots) take most of the suite's ~7 minutes under TCG
 * on 2 cores; FLEETBOOT_BOOT_LAB_LIGHT=1 skips them for a quick run.
 */
export function heavySkipReason(): string | null {
  return bootLabSkipReason() ?? (process.env.FLEETBOOT_BOOT_LAB_LIGHT === '1' ? 'heavy boot lab skipped (FLEETBOOT_BOOT_LAB_LIGHT=1)' : null);
}

let accelMemo: 'kvm' | 'tcg' | null = null;
/**
 * KVM when it really boots a kernel here, else TCG (DESIGN.md: /dev/kvm exists on these
 * machines but guests hang after SeaBIOS). Probed once by booting the kernel without initrd
 * until it prints its banner; FLEETBOOT_QEMU_ACCEL=kvm|tcg skips the probe.
 */
export function qemuAccel(kernelPath: string): 'kvm' | 'tcg' {
  if (accelMemo) return accelMemo;
  const forced = process.env.FLEETBOOT_QEMU_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return (accelMemo = forced);
  // The probe costs ~15 s under a hanging KVM: remembered per machine boot.
  const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const memoFile = path.join(path.dirname(kernelCacheDir), `qemu-accel-${bootId}`);
  try {
    const remembered = fs.readFileSync(memoFile, 'utf8').trim();
    if (remembered === 'kvm' || remembered === 'tcg') return (accelMemo = remembered);
  } catch { /* not probed yet */ }
  accelMemo = 'tcg';
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    const out = execFileSync('timeout', ['15', 'qemu-system-x86_64', '-accel', 'kvm', '-m', '256', '-display', 'none', '-serial', 'stdio', '-no-reboot',
      '-kernel', kernelPath, '-append', 'console=ttyS0 panic=-1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (out.includes('Linux version')) accelMemo = 'kvm';
  } catch (err) {
    const out = String((err as { stdout?: string }).stdout ?? '');
    if (out.includes('Linux version')) accelMemo = 'kvm';
  }
  fs.mkdirSync(path.dirname(memoFile), { recursive: true });
  fs.writeFileSync(memoFile, accelMemo);
  return accelMemo;
}

/** Generous under TCG (no KVM here): a VM boots ~10x slower. */
export function bootTimeoutMs(accel: 'kvm' | 'tcg', vms = 1): number {
  return (accel === 'kvm' ? 60_000 : 180_000) * Math.max(1, Math.ceil(vms / 2));
}

/**
 * The VM's firmware: SeaBIOS; OVMF; or OVMF with Secure Boot on and Microsoft's keys enrolled
 * (Debian's OVMF_CODE_4M.ms.fd + OVMF_VARS_4M.ms.fd, SMM and a secure flash, as DESIGN.md found).
 */
export type Firmware = 'bios' | 'uefi' | 'uefi-secure-boot';

export interface VmOptions {
  name: string;
  mac: string;
  firmware: Firmware;
  /**
   * UEFI only: 'http' turns OVMF's PXE (v4 and v6) off through its fw_cfg switches, so its
   * boot options are UEFI HTTP boot alone (DHCP arch 16, vendor class HTTPClient); 'pxe6' turns
   * its IPv4 PXE off, so it boots over IPv6 first (DHCPv6 with a tftp:// bootfile-url).
   */
  netBoot?: 'pxe' | 'http' | 'pxe6';
  memoryMb?: number;
  /** qcow2/raw disk attached as virtio-blk. */
  disk?: string;
  smbios?: { serial?: string; assetTag?: string; product?: string; vendor?: string };
  /**
   * QEMU loads this kernel and initrd itself with this cmdline (no PXE): a boot entry bootd
   * didn't write, like a USB stick or a local GRUB entry (BIOS only).
   */
  direct?: { kernel: string; initrd: string; append: string };
}

export interface Vm {
  name: string;
  mac: string;
  tap: string;
  child: ChildProcess;
  consolePath: string;
  startedAtMs: number;
  console(): string;
}

export interface TimelineEvent {
  source: string;
  type: string;
  at: Date;
  detail: Record<string, unknown>;
  bytesDone: string | null;
  bytesTotal: string | null;
}

export class QemuLab {
  readonly netns = new NetnsLab();
  readonly tmp = fs.mkdtempSync('/var/tmp/fb-qemu-lab-');
  db!: TestDatabase;
  pool!: pg.Pool;
  server!: LabNamespace;
  bridge!: string;
  sample!: SampleImage;
  accel: 'kvm' | 'tcg' = 'tcg';
  bootd: ChildProcess | null = null;
  bootdLog = '';
  private readonly vms: Vm[] = [];
  private taps = 0;

  get dataDir(): string { return path.join(this.tmp, 'data'); }
  get stateDir(): string { return path.join(this.tmp, 'bootd'); }

  /** `database`: a migrated database of the test's own (one it can take down); else a fresh test database. */
  static async start(opts: { role?: { rootMode?: 'ram' | 'nfs' | 'disk'; nfsExport?: string; diskRoot?: string; bootLoader?: 'pxelinux' | 'ipxe'; uefiBootChain?: 'ipxe' | 'secure_boot' }; routerAdvertisements?: boolean; database?: TestDatabase } = {}): Promise<QemuLab> {
    const lab = new QemuLab();
    try {
      lab.db = opts.database ?? await createTestDatabase('boot_lab');
      lab.pool = new pg.Pool({ connectionString: lab.db.url, max: 4 });
      lab.pool.on('error', () => undefined);
      await lab.pool.query(
        `INSERT INTO "Network" (id, name, cidr, gateway, "dnsServers", "bootServer", "poolStart", "poolEnd", "leaseSeconds", "discoveryEnabled", "updatedAt")
         VALUES ($1, 'lab', '10.66.0.0/24', NULL, ARRAY[]::text[], $2, '10.66.0.100', '10.66.0.150', 600, true, now())`,
        [networkId, serverAddress],
      );
      lab.sample = await buildSampleImage({
        databaseUrl: lab.db.url, dataDir: lab.dataDir, stateDir: lab.stateDir, kernelCacheDir,
        rootMode: opts.role?.rootMode ?? 'ram', nfsExport: opts.role?.nfsExport, diskRoot: opts.role?.diskRoot,
        rootfsTreeDir: path.join(lab.tmp, 'rootfs-tree'),
      });
      await lab.pool.query(`UPDATE "Role" SET "bootLoader" = $1::"BootLoader", "uefiBootChain" = $2::"UefiBootChain", "cmdlineTemplate" = $3 WHERE id = $4`,
        [opts.role?.bootLoader ?? 'pxelinux', opts.role?.uefiBootChain ?? 'ipxe', labCmdlineTemplate, lab.sample.roleId]);
      lab.accel = qemuAccel(lab.sample.kernel.path);
      lab.server = lab.netns.addNamespace('q');
      lab.bridge = lab.netns.addBridge(lab.server, 'q', `${serverAddress}/24`);
      if (opts.routerAdvertisements !== false) lab.startRouterAdvertisements();
      return lab;
    } catch (err) {
      await lab.dispose();
      throw err;
    }
  }

  private startRouterAdvertisements(): void {
    startRouterAdvertisements(this.server, this.bridge, 'fd66::1/64', path.join(this.tmp, 'ra.pid'));
  }

  async addHost(h: { hostname: string; mac: string | null; ip: string | null; serial?: string; assetTag?: string; roleId?: string | null }): Promise<string> {
    const r = await this.pool.query<{ id: string }>(
      `INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "roleId", serial, "assetTag", "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, now()) RETURNING id`,
      [h.hostname, h.mac, h.ip, networkId, h.roleId === undefined ? this.sample.roleId : h.roleId, h.serial ?? null, h.assetTag ?? null],
    );
    return r.rows[0]!.id;
  }

  /** The real bootd in the lab namespace: DHCP on the bridge, TFTP, HTTP; resolves once ready. */
  async startBootd(extraEnv: Record<string, string> = {}): Promise<void> {
    const env = {
      ...process.env,
      DATABASE_URL: this.db.url,
      FLEETBOOT_BOOT_INTERFACE: this.bridge,
      FLEETBOOT_BOOTD_ADDRESS: serverAddress,
      FLEETBOOT_DATA_DIR: this.dataDir,
      FLEETBOOT_BOOTD_STATE_DIR: this.stateDir,
      FLEETBOOT_BOOTD_ADMIN_PORT: '9467',
      FLEETBOOT_BOOT_HTTP_URL: httpBaseUrl,
      ...extraEnv,
    };
    const child = this.server.spawn('node', ['--import', 'tsx', path.join(repoRoot, 'boot-services/main.ts')], { env, cwd: repoRoot, stdio: 'pipe' });
    this.bootd = child;
    const log = fs.createWriteStream(path.join(this.tmp, 'bootd.log'));
    const collect = (d: Buffer) => { this.bootdLog += d.toString(); log.write(d); };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + 60_000;
    while (!this.bootdLog.includes('bootd ready')) {
      if (child.exitCode !== null) throw new Error(`bootd exited: ${this.bootdLog}`);
      if (Date.now() > deadline) throw new Error(`bootd not ready in 60 s: ${this.bootdLog}`);
      await sleep(100);
    }
  }

  async stopBootd(): Promise<void> {
    const child = this.bootd;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    this.bootd = null;
    this.bootdLog = '';
  }

  /** Stops the VM and removes its tap (a tap without its QEMU takes the bridge's carrier down). */
  async stopVm(vm: Vm): Promise<void> {
    if (vm.child.exitCode === null && vm.child.signalCode === null) {
      vm.child.kill('SIGKILL');
      await Promise.race([new Promise((r) => vm.child.once('exit', r)), sleep(5000)]);
    }
    try { this.server.exec('ip', ['link', 'del', vm.tap]); } catch { /* already gone */ }
  }

  /** Starts a PXE-booting VM on its own tap of the lab bridge. */
  startVm(o: VmOptions): Vm {
    const vm = startPxeVm({ netns: this.netns, ns: this.server, bridge: this.bridge, tmp: this.tmp, accel: this.accel, tapLabel: String(this.taps++) }, o);
    this.vms.push(vm);
    return vm;
  }

  async hostState(hostId: string): Promise<{ state: string; statePhase: string | null; bootOverride: string | null }> {
    const r = await this.pool.query(`SELECT state, "statePhase", "bootOverride" FROM "Host" WHERE id = $1`, [hostId]);
    return r.rows[0];
  }

  /** Waits for the host's state; returns ms since the VM started. Throws with the console on timeout. */
  async waitForState(hostId: string, state: string, vm: Vm, timeoutMs = bootTimeoutMs(this.accel)): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.hostState(hostId);
      if (s?.state === state) return Date.now() - vm.startedAtMs;
      if (Date.now() > deadline) {
        const events = (await timelineByMac(this, vm.mac)).map((e) => `${e.source}:${e.type}${e.detail.file ? `(${String(e.detail.file)})` : ''}`).join(' → ');
        throw new Error(`${vm.name} did not reach ${state} in ${timeoutMs} ms (state ${s?.state}/${s?.statePhase}).\n--- events of ${vm.mac} ---\n${events}\n--- console tail ---\n${vm.console().slice(-3000)}\n--- bootd tail ---\n${this.bootdLog.slice(-3000)}`);
      }
      if (vm.child.exitCode !== null) throw new Error(`${vm.name}: QEMU exited (${vm.child.exitCode}).\n${vm.console().slice(-3000)}`);
      await sleep(250);
    }
  }

  /** The host's boot events, in the order bootd recorded them. */
  async timeline(hostId: string): Promise<TimelineEvent[]> {
    const r = await this.pool.query(
      `SELECT source, type, at, detail, "bytesDone"::text AS "bytesDone", "bytesTotal"::text AS "bytesTotal" FROM "BootEvent" WHERE "hostId" = $1 ORDER BY seq`,
      [hostId],
    );
    return r.rows as TimelineEvent[];
  }

  async dispose(): Promise<void> {
    for (const vm of this.vms) if (vm.child.exitCode === null) vm.child.kill('SIGKILL');
    if (this.bootd && this.bootd.exitCode === null) {
      this.bootd.kill('SIGTERM');
      await Promise.race([new Promise((r) => this.bootd!.once('exit', r)), sleep(5000)]);
    }
    await this.netns.dispose();
    await this.pool?.end().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    if (!process.env.FLEETBOOT_KEEP_LAB) fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * DESIGN.md: Debian's iPXE waits for IPv6 autoconfiguration; a router advertisement on the
 * bridge ends the wait. dnsmasq in RA-only mode: no DHCP, no DNS, no TFTP (port=0, no range).
 */
export function startRouterAdvertisements(ns: LabNamespace, bridge: string, prefix: string, pidFile: string): void {
  ns.exec('ip', ['addr', 'add', prefix, 'dev', bridge, 'nodad']);
  const net = prefix.replace(/1\/64$/, '');
  ns.spawn('dnsmasq', ['--keep-in-foreground', '--conf-file=/dev/null', '--port=0', `--interface=${bridge}`, '--bind-interfaces',
    '--enable-ra', `--dhcp-range=${net},ra-only`, `--pid-file=${pidFile}`, '--log-facility=-'], { stdio: 'ignore' });
}

/** Where a VM runs: a namespace of `netns` with the boot bridge its tap joins. */
export interface VmPlace { netns: NetnsLab; ns: LabNamespace; bridge: string; tmp: string; accel: 'kvm' | 'tcg'; tapLabel: string }

/** Starts a PXE-booting VM on its own tap of the bridge (the caller stops it and removes the tap). */
export function startPxeVm(at: VmPlace, o: VmOptions): Vm {
  const tap = at.netns.addTap(at.ns, at.bridge, at.tapLabel);
  const consolePath = path.join(at.tmp, `${o.name}.console`);
  const args = ['-accel', at.accel, '-m', String(o.memoryMb ?? 512), '-smp', '1', '-display', 'none', '-monitor', 'none',
    '-serial', `file:${consolePath}`, '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
    // UEFI: no option ROM, so OVMF's own PXE asks (arch 7) and bootd hands it ipxe.efi; with
    // QEMU's iPXE EFI ROM the firmware would run iPXE straight away and skip that step.
    '-device', `virtio-net-pci,netdev=n0,mac=${o.mac},bootindex=1${o.firmware !== 'bios' ? ',romfile=' : ''}`];
  if (o.firmware !== 'bios') {
    const secure = o.firmware === 'uefi-secure-boot';
    const vars = path.join(at.tmp, `${o.name}.vars.fd`);
    fs.copyFileSync(`/usr/share/OVMF/OVMF_VARS_4M${secure ? '.ms' : ''}.fd`, vars);
    args.push('-machine', secure ? 'q35,smm=on' : 'q35', '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M${secure ? '.ms' : ''}.fd`,
      '-drive', `if=pflash,format=raw,unit=1,file=${vars}`);
    // Secure Boot's variables live in flash only SMM code may write.
    if (secure) args.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
    if (o.netBoot === 'http') args.push('-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n', '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n');
    if (o.netBoot === 'pxe6') args.push('-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n');
  } else if (o.direct) {
    args.push('-kernel', o.direct.kernel, '-initrd', o.direct.initrd, '-append', o.direct.append);
  } else {
    args.push('-boot', 'order=n');
  }
  if (o.disk) args.push('-drive', `file=${o.disk},if=virtio,format=${o.disk.endsWith('.qcow2') ? 'qcow2' : 'raw'}`);
  if (o.smbios) {
    const s = o.smbios;
    const type1 = ['type=1', s.vendor && `manufacturer=${s.vendor}`, s.product && `product=${s.product}`, s.serial && `serial=${s.serial}`].filter(Boolean).join(',');
    args.push('-smbios', type1);
    if (s.assetTag) args.push('-smbios', `type=3,asset=${s.assetTag}`);
  }
  const child = at.ns.spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.on('exit', (code) => { if (code) fs.appendFileSync(consolePath, `\n[qemu exited ${code}: ${stderr}]\n`); });
  const vm: Vm = {
    name: o.name, mac: o.mac, tap, child, consolePath, startedAtMs: Date.now(),
    console: () => { try { return fs.readFileSync(consolePath, 'utf8'); } catch { return ''; } },
  };
  return vm;
}

/** One (source, type[, detail.file match]) step expected on a timeline. */
export interface Step { source: string; type: string; file?: RegExp }

/**
 * Checks that `steps` occur in this order in `events` (other events may sit between them);
 * returns null or a description of the first missing step, with the timeline for the reader.
 */
export function missingStep(events: readonly TimelineEvent[], steps: readonly Step[]): string | null {
  let from = 0;
  for (const step of steps) {
    const found = events.findIndex((e, j) => j >= from && e.source === step.source && e.type === step.type && (!step.file || step.file.test(String(e.detail.file ?? ''))));
    if (found < 0) {
      const text = events.map((e) => `${e.source}:${e.type}${e.detail.file ? `(${String(e.detail.file)})` : ''}`).join(' → ');
      return `missing ${step.source}:${step.type}${step.file ? ` ${step.file}` : ''} in order; timeline: ${text}`;
    }
    from = found + 1;
  }
  return null;
}

/** A BIOS host's ram boot from pxelinux to up, as its timeline should show it. */
export const biosRamBootToUp: readonly Step[] = [
  { source: 'dhcp', type: 'ack' },
  { source: 'tftp', type: 'transfer-done', file: /^pxelinux\.0$/ },
  { source: 'tftp', type: 'transfer-done', file: /\/kernel$/ },
  { source: 'tftp', type: 'transfer-done', file: /\/initrd$/ },
  { source: 'dhcp', type: 'ack' },
  { source: 'agent', type: 'identity' },
  { source: 'http', type: 'transfer-done', file: /\/rootfs$/ },
  { source: 'agent', type: 'up' },
];

/** A machine's whole story by MAC (before a claim its events have no host). */
export async function timelineByMac(lab: { pool: pg.Pool }, mac: string): Promise<TimelineEvent[]> {
  const r = await lab.pool.query(
    `SELECT source, type, at, detail, "bytesDone"::text AS "bytesDone", "bytesTotal"::text AS "bytesTotal" FROM "BootEvent" WHERE mac = $1 ORDER BY seq`,
    [mac],
  );
  return r.rows as TimelineEvent[];
}
