// The DHCP integration lab: a fresh migrated database seeded with two networks, a role and
// a few hosts; a server namespace with a bridge (10.66.0.1/24) where the real bootd process
// (boot-services/main.ts) runs; helpers to attach client namespaces and run Debian's DHCP
// clients in them. Everything is bounded in time and removed by dispose().
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../server/db/testing.ts';
import { readHookRecords, writeClientHook, type ClientHook } from '../../testing/client-hook.ts';
import { NetnsLab, type LabNamespace } from '../../testing/netns-lab.ts';
import { decodePacket, encodePacket, macToChaddr, type DhcpPacket } from '../codec.ts';
import { BootpOp, DhcpOption, MessageType, broadcastFlag } from '../../../lib/dhcp/options.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const serverAddress = '10.66.0.1';
export const ids = {
  lab: '00000000-0000-4000-8000-000000000a01',
  remote: '00000000-0000-4000-8000-000000000a02',
  role: '00000000-0000-4000-8000-000000000b01',
  web01: '00000000-0000-4000-8000-000000000c01',
  web02: '00000000-0000-4000-8000-000000000c02',
  off01: '00000000-0000-4000-8000-000000000c09',
};
export const macs = { web01: '52:54:00:66:00:01', web02: '52:54:00:66:00:02', off01: '52:54:00:66:00:09' };

/**
 * One lab for a test file: started before its tests with a bootd (DHCP only, `bootdEnv` added)
 * and handed to `started`, disposed after them. Returns the reason the file can't run (printed
 * once), or false.
 */
export function dhcpLabForFile(started: (lab: DhcpLab) => void, bootdEnv: Record<string, string> = {}, skipReason: string | false = dhcpLabSkipReason() ?? false): string | false {
  if (skipReason) console.log(`# skipped: ${skipReason}`);
  let lab: DhcpLab | null = null;
  before(async () => {
    if (skipReason) return;
    lab = await DhcpLab.start();
    started(lab);
    await lab.startBootd(bootdEnv);
  });
  after(async () => {
    await lab?.dispose();
  });
  return skipReason;
}

export function dhcpLabSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'network namespace labs need root';
  if (!process.env.FLEETBOOT_TEST_DATABASE_URL) return 'FLEETBOOT_TEST_DATABASE_URL not set (run through scripts/with-test-db.sh)';
  for (const tool of ['udhcpc', 'dhclient', 'ip']) {
    try { execFileSync('which', [tool], { stdio: 'ignore' }); } catch { return `${tool} is not installed`; }
  }
  return null;
}

async function seed(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO "Network" (id, name, cidr, gateway, "dnsServers", domain, "poolStart", "poolEnd", "leaseSeconds", "relayAddresses", "discoveryEnabled", "updatedAt") VALUES
     ($1, 'lab', '10.66.0.0/24', '10.66.0.254', ARRAY['10.66.0.53','10.66.0.54'], 'lab.example', '10.66.0.100', '10.66.0.120', 600, ARRAY[]::text[], true, now()),
     ($2, 'remote', '10.77.0.0/24', '10.77.0.1', ARRAY['10.77.0.53'], 'remote.example', '10.77.0.100', '10.77.0.120', 600, ARRAY['10.77.0.1'], true, now())`,
    [ids.lab, ids.remote],
  );
  await pool.query(`INSERT INTO "Role" (id, name, "updatedAt") VALUES ($1, 'web', now())`, [ids.role]);
  await pool.query(
    `INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "roleId", "bootEnabled", "updatedAt") VALUES
     ($1, 'web01', $4, '10.66.0.11', $7, $8, true, now()),
     ($2, 'web02', $5, '10.66.0.12', $7, $8, true, now()),
     ($3, 'off01', $6, '10.66.0.19', $7, $8, false, now())`,
    [ids.web01, ids.web02, ids.off01, macs.web01, macs.web02, macs.off01, ids.lab, ids.role],
  );
}

export interface DhcpClientResult {
  /** Variables the client's hook script saw at its last bound/renew event. */
  env: Record<string, string>;
  events: string[];
  log: string;
}

/** One real bootd process (boot-services/main.ts, DHCP only) running in a lab namespace. */
export class BootdProcess {
  log = '';
  constructor(readonly ns: LabNamespace, readonly child: ChildProcess, readonly address: string) {
    child.stdout?.on('data', (d: Buffer) => { this.log += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { this.log += d.toString(); });
  }

  /** Prometheus text from its status port inside its namespace. */
  metrics(): string {
    return this.ns.exec('curl', ['-s', '--max-time', '5', 'http://127.0.0.1:9467/metrics']);
  }

  /** Its /healthz answer, parsed, with the HTTP status. */
  health(): { status: number; body: Record<string, unknown> } {
    const out = this.ns.exec('curl', ['-s', '--max-time', '5', '-w', '\n%{http_code}', 'http://127.0.0.1:9467/healthz']);
    const lines = out.trimEnd().split('\n');
    return { status: Number(lines.pop()), body: JSON.parse(lines.join('\n')) as Record<string, unknown> };
  }

  metric(name: string, labels: Record<string, string>): number {
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    let total = 0;
    for (const line of this.metrics().split('\n')) {
      if (!line.startsWith(`${name}{`) && line !== name && !line.startsWith(`${name} `)) continue;
      if (want.every((w) => line.includes(w))) total += Number(line.split(' ').at(-1));
    }
    return total;
  }

  async waitForLog(text: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.log.includes(text)) {
      if (this.child.exitCode !== null) throw new Error(`bootd exited: ${this.log}`);
      if (Date.now() > deadline) throw new Error(`bootd never logged "${text}" in ${ms} ms: ${this.log.slice(-3000)}`);
      await sleep(100);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // The process is `ip netns exec … node`: exec replaces ip, so the signal reaches node itself.
    this.child.kill(signal);
    const deadline = Date.now() + 5000;
    while (this.child.exitCode === null && this.child.signalCode === null && Date.now() < deadline) await sleep(50);
  }
}

export class DhcpLab {
  readonly netns = new NetnsLab();
  readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-dhcp-lab-'));
  db!: TestDatabase;
  pool!: pg.Pool;
  server!: LabNamespace;
  bridge!: string;
  /** Every bootd started, the first one (in `server`, at serverAddress) first. */
  readonly bootds: BootdProcess[] = [];
  private clients = 0;

  get bootd(): ChildProcess | null { return this.bootds[0]?.child ?? null; }
  get bootdLog(): string { return this.bootds[0]?.log ?? ''; }

  /** `databaseUrl`: a migrated database of the caller's (e.g. the Patroni lab's), kept after dispose. */
  static async start(opts: { seed?: boolean; databaseUrl?: string } = {}): Promise<DhcpLab> {
    const lab = new DhcpLab();
    try {
      lab.db = opts.databaseUrl ? { url: opts.databaseUrl, name: new URL(opts.databaseUrl).pathname.slice(1), drop: async () => undefined } : await createTestDatabase('dhcp_lab');
      lab.pool = new pg.Pool({ connectionString: lab.db.url, max: 4 });
      lab.pool.on('error', () => undefined);
      if (opts.seed !== false) await seed(lab.pool);
      lab.server = lab.netns.addNamespace('s');
      lab.bridge = lab.netns.addBridge(lab.server, 'd', `${serverAddress}/24`);
      return lab;
    } catch (err) {
      await lab.dispose();
      throw err;
    }
  }

  /**
   * Runs the real bootd (main.ts), DHCP only, and resolves once it listens: by default in the
   * server namespace at serverAddress; `on` puts another one on the same bridge (a second
   * bootd of the boot network) at `on.address`. Resolves when bootd logs `readyLog`.
   */
  async startBootd(extraEnv: Record<string, string> = {}, on: { ns: LabNamespace; address: string; iface: string } | null = null, readyLog = 'bootd ready'): Promise<BootdProcess> {
    const address = on?.address ?? serverAddress;
    const env = {
      ...process.env,
      DATABASE_URL: this.db.url,
      FLEETBOOT_BOOT_INTERFACE: on?.iface ?? this.bridge,
      FLEETBOOT_BOOTD_ADDRESS: address,
      FLEETBOOT_SERVICES: 'dhcp',
      FLEETBOOT_BOOTD_STATE_DIR: path.join(this.tmp, `bootd-${address}`),
      FLEETBOOT_BOOTD_ADMIN_PORT: '9467',
      FLEETBOOT_BOOT_HTTP_URL: `http://${address}:8080`,
      ...extraEnv,
    };
    const child = (on?.ns ?? this.server).spawn('node', ['--import', 'tsx', path.join(repoRoot, 'boot-services/main.ts')], { env, cwd: repoRoot, stdio: 'pipe' });
    const bootd = new BootdProcess(on?.ns ?? this.server, child, address);
    this.bootds.push(bootd);
    await bootd.waitForLog(readyLog, 30_000);
    return bootd;
  }

  /** A namespace on the boot network's bridge with its own address, for a second bootd. */
  addServer(address: string): { ns: LabNamespace; address: string; iface: string } {
    const ns = this.netns.addNamespace(`s${this.clients++}`);
    const iface = this.netns.attachToBridge(this.server, this.bridge, ns, `${address}/24`);
    return { ns, address, iface };
  }

  /** bootd's Prometheus counters, read from its status port inside the server namespace. */
  metrics(): string {
    return this.bootds[0]!.metrics();
  }

  metric(name: string, labels: Record<string, string>): number {
    return this.bootds[0]!.metric(name, labels);
  }

  /** A client namespace on the boot network's bridge with the given MAC. */
  addClient(mac: string, address: string | null = null): { ns: LabNamespace; iface: string } {
    const ns = this.netns.addNamespace(`c${this.clients++}`);
    const iface = this.netns.attachToBridge(this.server, this.bridge, ns, address, mac);
    // A UDP socket can send to 255.255.255.255 only along a route (raw-socket clients don't care).
    if (address) ns.exec('ip', ['route', 'add', 'default', 'dev', iface]);
    return { ns, iface };
  }

  private hook(name: string): ClientHook {
    // The address is configured before the record is written: an address the test will renew is in place.
    return writeClientHook(this.tmp, name, 'ip|subnet|mask|router|dns|domain|hostname|boot_file|siaddr|serverid|lease|tftp|bootfile|opt60|opt7|new_[a-z_]+', `case "$ev" in
  bound|renew) ip addr replace "$ip/$mask" dev "$interface" ;;
  BOUND|REBOOT|RENEW) ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
  deconfig) ip addr flush dev "$interface" ;;
esac`);
  }

  /** Runs BusyBox udhcpc until it gets a lease (-q) or gives up; returns what its hook saw. */
  udhcpc(client: { ns: LabNamespace; iface: string }, args: string[] = [], timeoutMs = 20_000): DhcpClientResult {
    const { script, out } = this.hook(`udhcpc-${client.iface}-${Date.now()}`);
    let log = '';
    try {
      log = client.ns.exec('timeout', [String(Math.ceil(timeoutMs / 1000)), 'udhcpc', '-f', '-q', '-n', '-i', client.iface, '-s', script, '-t', '5', '-T', '1', ...args], { timeoutMs: timeoutMs + 5000 });
    } catch (err) {
      log = String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '');
    }
    return parseHookOutput(out, log);
  }

  /** Starts udhcpc in the background (no -q) for renew/release tests. */
  udhcpcDaemon(client: { ns: LabNamespace; iface: string }, args: string[] = []): { child: ChildProcess; read(): DhcpClientResult; signal(sig: NodeJS.Signals): void } {
    const { script, out } = this.hook(`udhcpcd-${client.iface}-${Date.now()}`);
    const pidFile = `${out}.pid`;
    const child = client.ns.spawn('timeout', ['60', 'udhcpc', '-f', '-i', client.iface, '-s', script, '-p', pidFile, '-t', '5', '-T', '1', ...args]);
    let log = '';
    child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    // Signals go to udhcpc itself (by its pid file): `timeout` would not pass SIGUSR1/2 on.
    const signal = (sig: NodeJS.Signals) => process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), sig);
    return { child, read: () => parseHookOutput(out, log), signal };
  }

  /** Runs ISC dhclient in the foreground until its hook reports an address, then stops it. */
  async dhclient(client: { ns: LabNamespace; iface: string }, opts: { leaseFile?: string; timeoutMs?: number; conf?: string } = {}): Promise<DhcpClientResult> {
    const { script, out } = this.hook(`dhclient-${client.iface}-${Date.now()}`);
    const leaseFile = path.join(this.tmp, `dhclient-${client.iface}.leases`);
    if (opts.leaseFile !== undefined) fs.writeFileSync(leaseFile, opts.leaseFile);
    const confArgs: string[] = [];
    if (opts.conf !== undefined) {
      const conf = path.join(this.tmp, `dhclient-${client.iface}.conf`);
      fs.writeFileSync(conf, opts.conf);
      confArgs.push('-cf', conf);
    }
    const child = client.ns.spawn('timeout', ['40', 'dhclient', '-d', '-v', ...confArgs, '-sf', script, '-lf', leaseFile, '-pf', path.join(this.tmp, `dhclient-${client.iface}.pid`), client.iface]);
    let log = '';
    child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    try {
      while (Date.now() < deadline && child.exitCode === null) {
        const r = parseHookOutput(out, log);
        if (r.events.some((e) => e === 'BOUND' || e === 'REBOOT')) break;
        await sleep(100);
      }
    } finally {
      // Wait for it to be gone and its output read to the end: what it printed last (and the
      // record its hook was writing) is part of the result, however slow the machine is.
      const closed = new Promise<void>((r) => { if (child.exitCode !== null || child.signalCode !== null) r(); else child.once('close', () => r()); });
      child.kill('SIGTERM');
      await Promise.race([closed, sleep(5000)]);
    }
    return parseHookOutput(out, log);
  }

  /** Sends raw packets from a client namespace and returns every reply heard within listenMs. */
  probe(client: { ns: LabNamespace }, order: Record<string, unknown>, timeoutMs = 60_000): string {
    return client.ns.exec('node', ['--import', 'tsx', path.join(repoRoot, 'boot-services/dhcp/testdata/probe-client.ts'), JSON.stringify(order)], { timeoutMs });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.bootds.map((b) => b.stop('SIGTERM')));
    await this.netns.dispose();
    await this.pool?.end().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** A DHCP request as probe-client.ts sends it (base64): broadcast flag set, giaddr 0. */
export function rawRequest(type: MessageType, mac: string, options: Array<[DhcpOption, Buffer]>, xid: number): string {
  const p: DhcpPacket = {
    op: BootpOp.Request, htype: 1, hlen: 6, hops: 0, xid, secs: 0, flags: broadcastFlag,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', chaddr: macToChaddr(mac), serverName: '', bootFileName: '',
    options: new Map<number, Buffer>([[DhcpOption.MessageType, Buffer.from([type])], ...options]),
  };
  return encodePacket(p).toString('base64');
}

/** The DHCP replies probe-client.ts printed, decoded. */
export function replies(output: string): Array<{ from: string; packet: DhcpPacket }> {
  return output.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { from: string; bytes: string }).flatMap((r) => {
    const d = decodePacket(Buffer.from(r.bytes, 'base64'));
    return d.ok ? [{ from: r.from, packet: d.packet }] : [];
  });
}

function parseHookOutput(out: string, log: string): DhcpClientResult {
  const records = readHookRecords(out);
  const leased = records.filter((r) => ['bound', 'renew', 'BOUND', 'REBOOT', 'RENEW'].includes(r.event)).at(-1);
  return { env: leased?.env ?? {}, events: records.map((r) => r.event), log };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
