// bootd's one in-memory view of the database (DESIGN.md "Processes"). Loaded at start, kept
// current by following the "Change" log: NOTIFY only wakes the reader, which also polls on a
// slow timer and after each reconnect, so a lost notification costs at most one poll interval.
// After each change batch the view is written to <stateDir>/view-snapshot.json (fsynced):
// a bootd that starts while Postgres is down serves known hosts from it at once.
// A named bootd (FLEETBOOT_BOOTD_NAME) holds only the networks assigned to it and their hosts
// (and hosts with no network, which are tied to no site); an unnamed one holds everything.
import fs from 'node:fs';
import path from 'node:path';
import type { BootView, NetworkView } from '../lib/boot/boot-view.ts';
import { ViewIndex, snapshotFormat, type ViewSnapshot } from '../lib/boot/view-index.ts';
import type { Logger } from './bootd-context.ts';
import { ChangeFeed, type ViewRows } from './store/change-feed.ts';

const snapshotFileName = 'view-snapshot.json';

/** Whether a bootd of this name (null: unnamed) serves the network. */
export function servesNetwork(bootServerName: string | null, n: Pick<NetworkView, 'servedBy'>): boolean {
  return bootServerName === null || n.servedBy.includes(bootServerName);
}

/** The index of every row a bootd of this name serves. */
function indexOf(rows: ViewRows, bootServerName: string | null): ViewIndex {
  const v = new ViewIndex();
  v.seq = rows.seq;
  rows.networks.filter((n) => servesNetwork(bootServerName, n)).forEach((n) => v.putNetwork(n));
  rows.roles.forEach((r) => v.putRole(r));
  rows.images.forEach((i) => v.putImage(i));
  rows.hosts.forEach((h) => v.putHost(h));
  return v;
}

/** Change-log entries read at most per pass (another pass follows at once when it was full). */
const changeBatchRows = 20000;

// --- the cache ------------------------------------------------------------------------------

export interface ConfigCacheOptions {
  databaseUrl: string;
  stateDir: string;
  log: Logger;
  /** Slow poll of the change log, whatever NOTIFY says. */
  pollMs?: number;
  /** Called after each applied change batch (e.g. to refresh metrics). */
  onChange?: (entities: Set<string>) => void;
  /** FLEETBOOT_BOOTD_NAME: only the networks assigned to this boot server (null: every network). */
  bootServerName?: string | null;
}

/**
 * A BootView whose content follows the database. Readers hold the ConfigCache itself (it
 * implements BootView by delegating to the current index), so a full reload swaps atomically.
 */
export class ConfigCache implements BootView {
  private index = new ViewIndex();
  private feed: ChangeFeed | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private running: Promise<void> | null = null;
  private rerun = false;
  private reconnectDelayMs = 500;
  /** True once the view reflects the database (not only a snapshot). */
  live = false;

  constructor(private readonly opts: ConfigCacheOptions) {}

  get seq(): bigint { return this.index.seq; }
  findHostByMac(mac: string) { return this.index.findHostByMac(mac); }
  findHostByHostname(hostname: string) { return this.index.findHostByHostname(hostname); }
  findHostByIp(ip: string) { return this.index.findHostByIp(ip); }
  findHostById(id: string) { return this.index.findHostById(id); }
  findNetworkById(id: string) { return this.index.findNetworkById(id); }
  findNetworkContaining(ip: string) { return this.index.findNetworkContaining(ip); }
  findNetworkForRelay(giaddr: string) { return this.index.findNetworkForRelay(giaddr); }
  findNetworkContainingIPv6(address: string) { return this.index.findNetworkContainingIPv6(address); }
  findHostByIpv6(address: string) { return this.index.findHostByIpv6(address); }
  findRoleById(id: string) { return this.index.findRoleById(id); }
  findImageById(id: string) { return this.index.findImageById(id); }
  networks() { return this.index.networks(); }
  hostCount() { return this.index.hostCount(); }
  hosts() { return this.index.hosts(); }
  roles() { return this.index.roles(); }
  images() { return this.index.images(); }

  private get snapshotPath(): string { return path.join(this.opts.stateDir, snapshotFileName); }
  private get bootServerName(): string | null { return this.opts.bootServerName ?? null; }

  /** Serves the snapshot at once if there is one, then connects; resolves when serving something. */
  async start(opts: { waitForDatabaseMs?: number } = {}): Promise<void> {
    fs.mkdirSync(this.opts.stateDir, { recursive: true });
    const fromDisk = this.readSnapshot();
    if (fromDisk) {
      this.index = fromDisk;
      this.opts.log.info('serving the view snapshot while the database is reached', { seq: fromDisk.seq.toString(), hosts: fromDisk.hostCount() });
    }
    const connected = this.connect();
    if (!fromDisk) {
      // No snapshot: nothing to serve yet, so wait (bounded) for the first load.
      await Promise.race([connected, new Promise((r) => setTimeout(r, opts.waitForDatabaseMs ?? 30_000))]);
    }
    this.timer = setInterval(() => this.refresh(), this.opts.pollMs ?? 5_000);
    this.timer.unref();
  }

  private readSnapshot(): ViewIndex | null {
    try {
      const s = JSON.parse(fs.readFileSync(this.snapshotPath, 'utf8')) as ViewSnapshot;
      // A snapshot of another boot server's networks would answer hosts that aren't ours.
      return s.format === snapshotFormat && (s.bootServerName ?? null) === this.bootServerName ? ViewIndex.fromSnapshot(s) : null;
    } catch {
      return null;
    }
  }

  private writeSnapshot(): void {
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(this.index.toSnapshot(this.bootServerName)));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.snapshotPath);
  }

  private async connect(): Promise<void> {
    while (!this.closed) {
      let feed: ChangeFeed | null = null;
      try {
        feed = await ChangeFeed.connect(this.opts.databaseUrl, { onNotify: () => void this.refresh(), onEnd: () => this.feedEnded(feed) });
        const fresh = indexOf(await feed.readAll(this.bootServerName), this.bootServerName);
        this.index = fresh;
        this.live = true;
        this.writeSnapshot();
        this.opts.log.info('view loaded from the database', { seq: fresh.seq.toString(), hosts: fresh.hostCount(), networks: fresh.networks().length });
        this.opts.onChange?.(new Set(['Network', 'Role', 'Image', 'Host']));
        this.feed = feed;
        this.reconnectDelayMs = 500;
        return;
      } catch (err) {
        await feed?.close();
        this.opts.log.warn('database not reachable; retrying', { error: (err as Error).message, retryMs: this.reconnectDelayMs });
        await new Promise((r) => setTimeout(r, this.reconnectDelayMs));
        this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 10_000);
      }
    }
  }

  /** The feed's connection ended: serve the last view and reconnect (a feed that never loaded is the retry loop's). */
  private feedEnded(feed: ChangeFeed | null): void {
    if (feed === null || this.feed !== feed) return;
    this.feed = null;
    this.live = false;
    if (!this.closed) {
      this.opts.log.warn('lost the database connection; serving the last view and reconnecting');
      setTimeout(() => void this.connect(), this.reconnectDelayMs).unref();
    }
  }

  /** Reads the change log past our seq; coalesces concurrent calls into one more pass. */
  refresh(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        await this.applyChanges().catch((err) => this.opts.log.warn('change log read failed', { error: (err as Error).message }));
      } while (this.rerun && !this.closed);
    })().finally(() => { this.running = null; });
    return this.running;
  }

  private async applyChanges(): Promise<void> {
    const feed = this.feed;
    if (!feed) return;
    const changes = await feed.readChanges(this.index.seq, changeBatchRows);
    if (changes.length === 0) return;
    const ids = new Map<string, Set<string>>();
    for (const c of changes) {
      if (!ids.has(c.entity)) ids.set(c.entity, new Set());
      ids.get(c.entity)!.add(c.entityId);
    }
    const v = this.index;
    const reload = async <T extends { id: string }>(entity: string, read: (ids: string[]) => Promise<T[]>, put: (x: T) => void, del: (id: string) => void) => {
      const set = ids.get(entity);
      if (!set) return;
      const list = [...set];
      const seen = new Set<string>();
      for (const item of await read(list)) {
        seen.add(item.id);
        put(item);
      }
      for (const id of list) if (!seen.has(id)) del(id);
    };
    const name = this.bootServerName;
    const servedBefore = new Set(v.networks().map((n) => n.id));
    await reload('Network', (l) => feed.readNetworks(l), (n) => (servesNetwork(name, n) ? v.putNetwork(n) : v.deleteNetwork(n.id)), (id) => v.deleteNetwork(id));
    const served = new Set(v.networks().map((n) => n.id));
    if (served.size !== servedBefore.size || [...served].some((id) => !servedBefore.has(id))) {
      // A network was assigned to or taken from this boot server: its hosts come or go with it.
      // Rare (an operator's edit), so the whole view is read again rather than host by host.
      const fresh = indexOf(await feed.readAll(name), name);
      this.index = fresh;
      this.writeSnapshot();
      this.opts.log.info('networks served changed; view read again', { networks: fresh.networks().map((n) => n.name), hosts: fresh.hostCount() });
      this.opts.onChange?.(new Set(['Network', 'Role', 'Image', 'Host']));
      return;
    }
    await reload('Role', (l) => feed.readRoles(l), (r) => v.putRole(r), (id) => v.deleteRole(id));
    await reload('Host', (l) => feed.readHosts(l), (h) => (h.networkId === null || v.findNetworkById(h.networkId) ? v.putHost(h) : v.deleteHost(h.id)), (id) => v.deleteHost(id));
    // An artifact change touches every image that uses it.
    const artifactShas = ids.get('Artifact');
    if (artifactShas) (await feed.readImagesUsingArtifacts([...artifactShas])).forEach((i) => v.putImage(i));
    await reload('Image', (l) => feed.readImages(l), (i) => v.putImage(i), (id) => v.deleteImage(id));
    v.seq = changes[changes.length - 1]!.seq;
    this.writeSnapshot();
    this.opts.onChange?.(new Set(ids.keys()));
    if (changes.length === changeBatchRows) this.rerun = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    const feed = this.feed;
    this.feed = null;
    this.live = false;
    await feed?.close();
  }
}
