// The sites lab (issue 14): namespaces that stand for machines. `core` runs PostgreSQL and the
// console (web); each site namespace runs one named bootd with its own state directory, reaches
// core over its own routed link (PostgreSQL over TCP, artifacts over HTTP with its credential)
// and has a boot bridge where QEMU VMs PXE-boot. No file is shared with core: each site's bootd
// runs in a mount namespace where core's directory, the other sites' directories and the kernel
// cache are empty tmpfs mounts, so a path of theirs it tried to open would not be there.
// dispose() stops every VM, bootd, the console and PostgreSQL and deletes the namespaces.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../server/db/migrate.ts';
import { hashSecret, newSecret } from '../../server/auth/secrets.ts';
import { NetnsLab, type LabNamespace } from '../../boot-services/testing/netns-lab.ts';
import { buildSampleImage, type SampleImage } from '../../scripts/sample-image.ts';
import { startLabWeb, type LabWeb } from './lab-web.ts';
import { kernelCacheDir, labCmdlineTemplate, qemuAccel, repoRoot, startPxeVm, startRouterAdvertisements, type Vm, type VmOptions } from './qemu-lab.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const webPort = 3000;
const adminPort = 9467;

export interface Site {
  name: string;
  ns: LabNamespace;
  /** core's end of the site's link (what the site's bootd dials) and the site's own end. */
  coreAddress: string;
  linkAddress: string;
  coreIf: string;
  bridge: string;
  serverAddress: string;
  networkId: string;
  bootServerId: string;
  credential: string;
  dir: string;
  bootd: ChildProcess | null;
  bootdLog: string;
  vms: Vm[];
}

export class SitesLab {
  readonly netns = new NetnsLab();
  readonly tmp = fs.mkdtempSync('/var/tmp/fb-sites-lab-');
  core!: LabNamespace;
  pool!: pg.Pool;
  /** The database as core's processes and this test reach it (unix socket). */
  db!: { url: string };
  /** PostgreSQL's TCP port in core. */
  pgPort = 0;
  pgPassword = '';
  sample!: SampleImage;
  accel: 'kvm' | 'tcg' = 'tcg';
  web!: LabWeb;
  readonly sites: Site[] = [];
  private pgServer: ChildProcess | null = null;
  private taps = 0;

  get coreDir(): string { return path.join(this.tmp, 'core'); }

  /** core with PostgreSQL (listening on its site links) and the console; the sample image in the console's store. */
  static async start(siteNames: string[]): Promise<SitesLab> {
    const lab = new SitesLab();
    try {
      // The postgres user must reach its cluster under the scratch directory.
      fs.chmodSync(lab.tmp, 0o755);
      fs.mkdirSync(lab.coreDir, { recursive: true });
      lab.core = lab.netns.addNamespace('core');
      lab.core.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      siteNames.forEach((name, i) => lab.addSite(name, i + 1));
      await lab.startPostgres();
      lab.sample = await buildSampleImage({
        databaseUrl: lab.db.url, dataDir: path.join(lab.coreDir, 'data'), stateDir: path.join(lab.coreDir, 'sample-state'), kernelCacheDir, rootMode: 'ram',
      });
      await lab.pool.query(`UPDATE "Role" SET "bootLoader" = 'pxelinux'::"BootLoader", "cmdlineTemplate" = $1 WHERE id = $2`, [labCmdlineTemplate, lab.sample.roleId]);
      lab.accel = qemuAccel(lab.sample.kernel.path);
      for (const site of lab.sites) await lab.registerSite(site);
      lab.web = await startLabWeb({ server: lab.core, db: lab.db, pool: lab.pool, tmp: lab.coreDir }, { listen: '0.0.0.0', dataDir: path.join(lab.coreDir, 'data') });
      return lab;
    } catch (err) {
      await lab.dispose();
      throw err;
    }
  }

  /** The site's namespace, its routed link to core (10.77.<n>.0/24) and its boot bridge (10.66.<n>.1/24). */
  private addSite(name: string, n: number): void {
    const ns = this.netns.addNamespace(`s${n}`);
    const coreAddress = `10.77.${n}.1`;
    const linkAddress = `10.77.${n}.2`;
    const { aIf: coreIf } = this.netns.link(this.core, `${coreAddress}/24`, ns, `${linkAddress}/24`);
    // Routed: core forwards between the sites' links.
    ns.exec('ip', ['route', 'add', '10.77.0.0/16', 'via', coreAddress]);
    const serverAddress = `10.66.${n}.1`;
    const bridge = this.netns.addBridge(ns, `s${n}`, `${serverAddress}/24`);
    startRouterAdvertisements(ns, bridge, `fd66:${n}::1/64`, path.join(this.tmp, `${name}-ra.pid`));
    const dir = path.join(this.tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    this.sites.push({
      name, ns, coreAddress, linkAddress, coreIf, bridge, serverAddress, dir,
      networkId: `00000000-0000-4000-8000-0000000e01${String(n).padStart(2, '0')}`, bootServerId: '', credential: '', bootd: null, bootdLog: '', vms: [],
    });
  }

  /** PostgreSQL inside core, listening on loopback and on core's end of every site link. */
  private async startPostgres(): Promise<void> {
    const info = path.join(this.coreDir, 'pg-info');
    this.pgServer = this.core.spawn('node', ['--import', 'tsx', path.join(repoRoot, 'scripts/test-db-server.ts'), path.join(this.coreDir, 'pg'), info,
      this.sites.map((s) => s.coreAddress).join(','), '10.77.0.0/16'], { cwd: repoRoot, stdio: 'ignore' });
    const deadline = Date.now() + 90_000;
    while (!fs.existsSync(info) || fs.readFileSync(info, 'utf8').split('\n').length < 3) {
      if (this.pgServer.exitCode !== null) throw new Error('PostgreSQL in core did not start');
      if (Date.now() > deadline) throw new Error('PostgreSQL in core did not start in 90 s');
      await sleep(200);
    }
    const [socketAdmin, tcpAdmin] = fs.readFileSync(info, 'utf8').split('\n') as [string, string];
    const database = (u: string) => { const url = new URL(u); url.pathname = '/fleetboot'; return url.toString(); };
    this.db = { url: database(socketAdmin) };
    const tcp = new URL(tcpAdmin);
    this.pgPort = Number(tcp.port);
    this.pgPassword = decodeURIComponent(tcp.password);
    await migrate(this.db.url);
    this.pool = new pg.Pool({ connectionString: this.db.url, max: 4 });
    this.pool.on('error', () => undefined);
  }

  /** A boot server in the registry (credential stored hashed) and the site's network it serves. */
  private async registerSite(site: Site): Promise<void> {
    site.credential = newSecret('fbb_');
    const r = await this.pool.query<{ id: string }>(
      `INSERT INTO "BootServer" (id, name, site, "credentialHash", "credentialPrefix", "createdBy") VALUES (gen_random_uuid(), $1, $2, $3, $4, 'sites-lab') RETURNING id`,
      [`bootd-${site.name}`, site.name, hashSecret(site.credential), site.credential.slice(0, 10)],
    );
    site.bootServerId = r.rows[0]!.id;
    const net = site.serverAddress.replace(/\.1$/, '');
    await this.pool.query(
      `INSERT INTO "Network" (id, name, cidr, gateway, "dnsServers", "bootServer", "poolStart", "poolEnd", "leaseSeconds", "discoveryEnabled", "bootServerId", "updatedAt")
       VALUES ($1, $2, $3, NULL, ARRAY[]::text[], $4, $5, $6, 600, true, $7, now())`,
      [site.networkId, site.name, `${net}.0/24`, site.serverAddress, `${net}.100`, `${net}.150`, site.bootServerId],
    );
  }

  async addHost(site: Site, h: { hostname: string; mac: string; ip: string }): Promise<string> {
    const r = await this.pool.query<{ id: string }>(
      `INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "roleId", "updatedAt") VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now()) RETURNING id`,
      [h.hostname, h.mac, h.ip, site.networkId, this.sample.roleId],
    );
    return r.rows[0]!.id;
  }

  /** Directories a site's bootd must never open: core's, the other sites', the kernel cache. */
  private hiddenFrom(site: Site): string[] {
    return [this.coreDir, kernelCacheDir, ...this.sites.filter((s) => s !== site).map((s) => s.dir)];
  }

  /** The site's named bootd: DHCP/TFTP/HTTP on its bridge, PostgreSQL and the console over its link. */
  async startBootd(site: Site): Promise<void> {
    const env = {
      ...process.env,
      DATABASE_URL: `postgresql://fleetboot:${encodeURIComponent(this.pgPassword)}@${site.coreAddress}:${this.pgPort}/fleetboot`,
      FLEETBOOT_BOOT_INTERFACE: site.bridge,
      FLEETBOOT_BOOTD_ADDRESS: site.serverAddress,
      FLEETBOOT_DATA_DIR: site.dir,
      FLEETBOOT_BOOTD_STATE_DIR: path.join(site.dir, 'bootd'),
      FLEETBOOT_BOOTD_ADMIN_PORT: String(adminPort),
      FLEETBOOT_BOOT_HTTP_URL: `http://${site.serverAddress}:8080`,
      FLEETBOOT_BOOTD_NAME: `bootd-${site.name}`,
      FLEETBOOT_BOOTD_CREDENTIAL: site.credential,
      FLEETBOOT_CONSOLE_URL: `http://${site.coreAddress}:${webPort}`,
      FLEETBOOT_BOOTD_STATUS_URL: `http://${site.linkAddress}:${adminPort}`,
      FLEETBOOT_BOOTD_HEARTBEAT_MS: '2000',
    };
    const hide = this.hiddenFrom(site).filter((d) => fs.existsSync(d)).map((d) => `mount -t tmpfs fb-not-this-site ${d} && `).join('');
    const child = site.ns.spawn('sh', ['-c', `${hide}exec node --import tsx ${path.join(repoRoot, 'boot-services/main.ts')}`], { env, cwd: repoRoot, stdio: 'pipe' });
    site.bootd = child;
    site.bootdLog = '';
    const log = fs.createWriteStream(path.join(this.tmp, `${site.name}-bootd.log`), { flags: 'a' });
    const collect = (d: Buffer) => { site.bootdLog += d.toString(); log.write(d); };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + 90_000;
    while (!site.bootdLog.includes('bootd ready')) {
      if (child.exitCode !== null) throw new Error(`${site.name}'s bootd exited: ${site.bootdLog}`);
      if (Date.now() > deadline) throw new Error(`${site.name}'s bootd not ready in 90 s: ${site.bootdLog}`);
      await sleep(200);
    }
  }

  /** The site's bootd status endpoint (/metrics, /healthz), asked inside the site. */
  status(site: Site, pathName: string): string {
    return site.ns.exec('curl', ['-sf', '--max-time', '10', `http://127.0.0.1:${adminPort}${pathName}`]);
  }

  /** Sum of a bootd metric over the samples whose labels include `labels`. */
  metric(site: Site, name: string, labels: Record<string, string> = {}): number {
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    return this.status(site, '/metrics').split('\n')
      .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && want.every((w) => l.includes(w)))
      .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
  }

  startVm(site: Site, o: VmOptions): Vm {
    const vm = startPxeVm({ netns: this.netns, ns: site.ns, bridge: site.bridge, tmp: this.tmp, accel: this.accel, tapLabel: String(this.taps++) }, o);
    site.vms.push(vm);
    return vm;
  }

  async stopVm(site: Site, vm: Vm): Promise<void> {
    if (vm.child.exitCode === null && vm.child.signalCode === null) {
      vm.child.kill('SIGKILL');
      await Promise.race([new Promise((r) => vm.child.once('exit', r)), sleep(5000)]);
    }
    try { site.ns.exec('ip', ['link', 'del', vm.tap]); } catch { /* already gone */ }
  }

  /** Cuts (down) or restores (up) the site's link at core's end: packets to core are lost, not refused. */
  setLink(site: Site, state: 'up' | 'down'): void {
    this.core.exec('ip', ['link', 'set', site.coreIf, state]);
  }

  async hostState(hostId: string): Promise<string | null> {
    const r = await this.pool.query<{ state: string }>(`SELECT state::text FROM "Host" WHERE id = $1`, [hostId]);
    return r.rows[0]?.state ?? null;
  }

  async dispose(): Promise<void> {
    for (const site of this.sites) {
      for (const vm of site.vms) if (vm.child.exitCode === null) vm.child.kill('SIGKILL');
      if (site.bootd && site.bootd.exitCode === null) {
        site.bootd.kill('SIGTERM');
        await Promise.race([new Promise((r) => site.bootd!.once('exit', r)), sleep(5000)]);
      }
    }
    await this.pool?.end().catch(() => undefined);
    // PostgreSQL stops cleanly (its server script stops the cluster on SIGTERM) before the namespace goes.
    if (this.pgServer && this.pgServer.exitCode === null) {
      this.pgServer.kill('SIGTERM');
      await Promise.race([new Promise((r) => this.pgServer!.once('exit', r)), sleep(15_000)]);
    }
    await this.netns.dispose();
    if (!process.env.FLEETBOOT_KEEP_LAB) fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

export function sitesLabToolsSkipReason(): string | null {
  try { execFileSync('which', ['curl'], { stdio: 'ignore' }); } catch { return 'curl is not installed'; }
  return null;
}
