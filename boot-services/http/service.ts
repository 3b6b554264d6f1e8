// bootd's HTTP boot service: image artifacts, the discovery environment, bootloaders, iPXE
// scripts generated per MAC, the TFTP namespace over HTTP, and the bootloader status for the
// console. Other work adds its own routes under /boot/v1/ (identity, progress) through
// `extraRoutes` or `addRoute` without touching this file. main.ts calls startHttpService(ctx).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { clientHostsOf, type BootdContext, type RunningService } from '../bootd-context.ts';
import type { ClientIdentity } from '../client-hosts.ts';
import type { BootEventInput } from '../events/event-sink.ts';
import { transferRate } from '../events/transfer-rate.ts';
import { setUpBootFiles } from '../boot-config/boot-files-setup.ts';
import { checkBootFileName, type BootFileLookup, type BootFiles } from '../boot-config/boot-files.ts';
import { FileCache } from '../boot-config/file-cache.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { httpBootPrefix, type ArtifactKind } from '../../lib/boot/boot-paths.ts';
import type { BootloaderStatus } from '../boot-config/bootloaders.ts';
import { loadAndPrepare, prepareFile, sendPreparedFile, type FileResponseHooks, type FileResponseResult, type PreparedFile } from './file-response.ts';
import { sendFollowingPull } from './pull-stream.ts';
import type { ArtifactPull } from '../artifacts/artifact-pull.ts';

export interface HttpRoute {
  /** e.g. 'GET' or ['GET', 'HEAD'] */
  method: string | readonly string[];
  /** Matched against the URL path (no query), e.g. /^\/boot\/v1\/identity$/ */
  path: RegExp;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): void | Promise<void>;
}

export interface RunningHttpService extends RunningService {
  port: number;
  /** Adds a route after start (checked after the built-in ones, in the order added). */
  addRoute(route: HttpRoute): void;
  bootloaders: BootloaderStatus[];
}

export interface HttpTuning {
  cache: FileCache;
  /** How long a file's stat (size, mtime, inode) is reused before looking again. */
  lookupTtlMs: number;
  progressIntervalMs: number;
}

export const defaultHttpTuning = (): HttpTuning => ({ cache: new FileCache(), lookupTtlMs: 1000, progressIntervalMs: 1000 });

/** The client's IPv4 address as the view knows it (without the ::ffff: prefix of dual-stack sockets). */
export function clientAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

function sendError(res: ServerResponse, status: number, error: string): void {
  sendJson(res, status, { error });
}

/**
 * Prepared disk files reused for a short while: a hot small file then costs no stat, no read
 * and no promise (what nginx's open_file_cache does). Generated files are never kept: they
 * follow the view on every request.
 */
class PreparedFiles {
  private readonly entries = new Map<string, { prepared: PreparedFile; expiresAtMs: number }>();
  constructor(private readonly ttlMs: number, private readonly cache: FileCache) {}

  peek(key: string, nowMs: number): PreparedFile | null {
    const hit = this.entries.get(key);
    return hit && hit.expiresAtMs > nowMs ? hit.prepared : null;
  }

  async get(key: string, lookup: () => Promise<BootFileLookup>): Promise<PreparedFile | Extract<BootFileLookup, { ok: false }>> {
    const found = await lookup();
    if (!found.ok) return found;
    const prepared = await loadAndPrepare(found.file, this.cache);
    if (found.file.kind === 'disk') {
      if (this.entries.size > 10_000) this.entries.clear();
      this.entries.set(key, { prepared, expiresAtMs: Date.now() + this.ttlMs });
    }
    return prepared;
  }
}

/** Counters kept locally and added to the registry once a second: label keys aren't free. */
class BatchedCounters {
  private readonly pending = new Map<string, { name: string; help: string; labels: Record<string, string>; by: number }>();
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly metrics: BootdContext['metrics']) {
    this.timer = setInterval(() => this.flush(), 1000);
    this.timer.unref();
  }
  inc(name: string, help: string, labels: Record<string, string>, by = 1): void {
    const key = `${name}|${labels.result ?? ''}|${labels.reason ?? ''}`;
    const entry = this.pending.get(key);
    if (entry) entry.by += by;
    else this.pending.set(key, { name, help, labels, by });
  }
  flush(): void {
    for (const e of this.pending.values()) if (e.by) this.metrics.inc(e.name, e.help, e.labels, e.by);
    this.pending.clear();
  }
  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

export async function startHttpService(ctx: BootdContext, extraRoutes: readonly HttpRoute[] = [], tuning: HttpTuning = defaultHttpTuning()): Promise<RunningHttpService> {
  const { files, bootloaders } = await setUpBootFiles(ctx);
  const prepared = new PreparedFiles(tuning.lookupTtlMs, tuning.cache);
  const counters = new BatchedCounters(ctx.metrics);
  const routes: HttpRoute[] = [...builtInRoutes(ctx, files, bootloaders, prepared, counters, tuning), ...extraRoutes];
  // Checked after every route, also those added later: the boot-file namespace at the root.
  const bootRoot = bootRootRoute(ctx, files, prepared, counters, tuning);

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    for (const route of [...routes, bootRoot]) {
      const methods = typeof route.method === 'string' ? [route.method] : route.method;
      const match = route.path.exec(path);
      if (!match) continue;
      if (!methods.includes(req.method ?? '')) {
        res.setHeader('Allow', methods.join(', '));
        sendError(res, 405, 'method not allowed');
        return;
      }
      const failed = (err: Error) => {
        ctx.log.error('http route failed', { path, error: err.message });
        if (!res.headersSent) sendError(res, 500, 'internal error');
        else res.destroy();
      };
      try {
        route.handle(req, res, match)?.catch(failed);
      } catch (err) {
        failed(err as Error);
      }
      return;
    }
    counters.inc('fleetboot_http_refused_total', 'HTTP boot requests refused, by reason', { reason: 'no-route' });
    sendError(res, 404, 'not found');
  };

  // The boot address, and the boot interfaces' IPv6 addresses (DHCPv6's http:// boot URLs name
  // them): one server each, all with the same routes.
  const addresses = [...new Set([ctx.config.bindAddress, ...(ctx.config.listenAddresses ?? []).filter((a) => net.isIPv6(a))])];
  const servers: http.Server[] = [];
  for (const listenAddress of addresses) {
    const server = http.createServer({ keepAlive: true }, answer);
    // Boot clients are few and slow (firmware); keep their connections for the files that follow.
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(servers.length === 0 ? ctx.config.httpPort : port(servers[0]!), listenAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    servers.push(server);
  }
  ctx.log.info('http boot service listening', { addresses, port: port(servers[0]!) });
  return {
    name: 'http',
    port: port(servers[0]!),
    bootloaders,
    addRoute: (route) => { routes.push(route); },
    close: () => new Promise<void>((resolve) => {
      counters.stop();
      let open = servers.length;
      for (const server of servers) {
        server.close(() => { if (--open === 0) resolve(); });
        server.closeAllConnections();
      }
    }),
  };
}

/**
 * A path part with its %XX escapes decoded, or null when they are malformed (RFC 3986 §2.1:
 * "%" must be followed by two hex digits): the client's mistake, a 400, not a route failure.
 */
export function decodePathSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

function refuseBadEncoding(res: ServerResponse, counters: BatchedCounters): void {
  counters.inc('fleetboot_http_refused_total', 'HTTP boot requests refused, by reason', { reason: 'bad-url-encoding' });
  sendError(res, 400, 'bad URL encoding');
}

const getOrHead = ['GET', 'HEAD'] as const;

type Serve = (req: IncomingMessage, res: ServerResponse, key: string, what: string, lookup: () => Promise<BootFileLookup>) => Promise<void> | void;

function fileServer(ctx: BootdContext, prepared: PreparedFiles, counters: BatchedCounters, tuning: HttpTuning): Serve {
  return (req, res, key, what, lookup) => {
    const hot = prepared.peek(key, Date.now());
    if (hot) return sendPreparedFile(req, res, hot, new DownloadEvents(ctx, counters, req, what, hot, tuning.progressIntervalMs)) ?? undefined;
    return prepared.get(key, lookup).then((p) => {
      if ('ok' in p && p.reason === 'not-cached') return streamThrough(ctx, counters, req, res, what, p.pull, tuning.progressIntervalMs);
      if ('ok' in p) {
        counters.inc('fleetboot_http_refused_total', 'HTTP boot requests refused, by reason', { reason: p.reason });
        sendError(res, p.reason === 'outside-root' ? 403 : 404, p.message);
        return;
      }
      return sendPreparedFile(req, res, p, new DownloadEvents(ctx, counters, req, what, p, tuning.progressIntervalMs)) ?? undefined;
    });
  };
}

/**
 * An artifact missing from this boot server's cache, sent as it is pulled (pull-stream.ts); its
 * transfer events say so (`cache: 'miss'`), and a pull that fails ends it as transfer-aborted
 * with the pull's failure as the reason.
 */
function streamThrough(ctx: BootdContext, counters: BatchedCounters, req: IncomingMessage, res: ServerResponse, what: string, pull: ArtifactPull, progressIntervalMs: number): Promise<void> {
  counters.inc('fleetboot_http_artifact_stream_through_total', 'Artifact downloads sent while pulled from the console (not cached yet)', {});
  const following = prepareFile({ kind: 'disk', path: pull.partPath, sizeBytes: pull.sizeBytes, mtimeMs: Date.now(), dev: 0, ino: 0, sha256: pull.sha256 }, null);
  return sendFollowingPull(req, res, pull, new DownloadEvents(ctx, counters, req, what, following, progressIntervalMs, { cache: 'miss' }));
}

/**
 * A name of the TFTP namespace (bootloaders, grub/…, images/<id>/…), URL-encoded as it came.
 * Generated names (pxelinux.cfg/…, grub/…) depend on the client: never cached.
 */
function serveNamespaceFile(ctx: BootdContext, files: BootFiles, prepared: PreparedFiles, counters: BatchedCounters, tuning: HttpTuning, serve: Serve, req: IncomingMessage, res: ServerResponse, encoded: string): Promise<void> | void {
  // A name already checked and prepared is served by its raw path, before decoding again.
  const hot = prepared.peek(`file:${encoded}`, Date.now());
  if (hot) return sendPreparedFile(req, res, hot, new DownloadEvents(ctx, counters, req, encoded, hot, tuning.progressIntervalMs)) ?? undefined;
  const name = decodePathSegment(encoded);
  if (name === null) return refuseBadEncoding(res, counters);
  const checked = checkBootFileName(name);
  if (!checked.ok) {
    counters.inc('fleetboot_http_refused_total', 'HTTP boot requests refused, by reason', { reason: checked.reason });
    sendError(res, 403, `refused: ${checked.reason}`);
    return;
  }
  return serve(req, res, `file:${encoded}`, checked.name, () => files.lookup(checked.name, clientAddress(req)));
}

/**
 * The TFTP namespace at the root of the HTTP server, as the boot root: GRUB booted over UEFI
 * HTTP reads its config and the files it names (`linux /images/<id>/kernel`) from the server's
 * root, and shim fetches grubx64.efi next to its own URL.
 */
function bootRootRoute(ctx: BootdContext, files: BootFiles, prepared: PreparedFiles, counters: BatchedCounters, tuning: HttpTuning): HttpRoute {
  const serve = fileServer(ctx, prepared, counters, tuning);
  return {
    method: getOrHead,
    path: new RegExp(`^/(?!${httpBootPrefix.slice(1)}/)(.+)$`),
    handle: (req, res, m) => serveNamespaceFile(ctx, files, prepared, counters, tuning, serve, req, res, m[1]!),
  };
}

function builtInRoutes(ctx: BootdContext, files: BootFiles, bootloaders: BootloaderStatus[], prepared: PreparedFiles, counters: BatchedCounters, tuning: HttpTuning): HttpRoute[] {
  const serve = fileServer(ctx, prepared, counters, tuning);
  return [
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/images/([^/]+)/(kernel|initrd|rootfs)$`),
      handle: (req, res, m) => {
        const imageId = decodePathSegment(m[1]!);
        if (imageId === null) return refuseBadEncoding(res, counters);
        return serve(req, res, `image:${m[1]}:${m[2]}`, `images/${m[1]}/${m[2]}`, () => files.lookupArtifact(imageId, m[2] as ArtifactKind));
      },
    },
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/(discovery/(?:kernel|initrd))$`),
      handle: (req, res, m) => serve(req, res, `file:${m[1]}`, m[1]!, () => files.lookup(m[1]!, null)),
    },
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/(?:bootloaders|files)/(.+)$`),
      handle: (req, res, m) => serveNamespaceFile(ctx, files, prepared, counters, tuning, serve, req, res, m[1]!),
    },
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/ipxe/([^/]+)$`),
      handle: (req, res, m) => {
        const raw = decodePathSegment(m[1]!);
        if (raw === null) return refuseBadEncoding(res, counters);
        const mac = normalizeMac(raw);
        if (!mac && m[1] !== 'default') {
          sendError(res, 400, 'expected a MAC address or "default"');
          return;
        }
        const script = files.ipxeScript(mac);
        const plan = script.plan;
        const clientIp = clientAddress(req);
        const at = new Date();
        clientHostsOf(ctx).whenKnown(clientIp, (client) => {
          const host = plan.kind === 'discovery' ? client.host : plan.host;
          ctx.events.record({ source: 'http', type: 'boot-config', at, hostId: host?.id ?? null, mac: mac ?? host?.mac ?? client.mac, detail: { kind: 'ipxe', plan: plan.kind, clientIp } });
        });
        return sendPreparedFile(req, res, prepareFile(script, null)) ?? undefined;
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^${httpBootPrefix}/status/bootloaders$`),
      handle: (_req, res) => sendJson(res, 200, { bootloaders }),
    },
  ];
}

/** Files answered from memory below this size (scripts, configs, small bootloaders) record only their outcome. */
const startEventMinBytes = 1024 * 1024;

/**
 * Transfer events for one download, tied to the host the client's address is at the time of the
 * request (reservation, pool lease, boot agent: client-hosts.ts): start, throttled progress and
 * done for files streamed from disk; for a file answered from memory in one write, just the
 * outcome. Done means the last byte has left (duration and rate are the transfer's), a Range
 * request says which range, and a client that went away is an aborted transfer.
 */
class DownloadEvents implements FileResponseHooks {
  private readonly clientIp: string;
  private client: ClientIdentity | undefined;
  /** Events taken while the client's lease is being looked up, sent in order once it is known. */
  private held: BootEventInput[] = [];
  private readonly startedAtMs = Date.now();
  private lastProgressMs = this.startedAtMs;
  private readonly quiet: boolean;
  private readonly range: string | null;

  constructor(private readonly ctx: BootdContext, private readonly counters: BatchedCounters, req: IncomingMessage, private readonly what: string, private readonly p: PreparedFile, private readonly progressIntervalMs: number, private readonly extra: Record<string, unknown> = {}) {
    this.clientIp = clientAddress(req);
    const clients = clientHostsOf(ctx);
    this.client = clients.knownNow(this.clientIp);
    if (!this.client) {
      clients.whenKnown(this.clientIp, (client) => {
        this.client = client;
        for (const e of this.held.splice(0)) this.send(e);
      });
    }
    this.quiet = req.method === 'HEAD';
    this.range = typeof req.headers.range === 'string' ? req.headers.range : null;
    // A kernel answered from memory still takes seconds on the wire: its start is on the timeline too.
    if (!this.quiet && (!p.bytes || p.sizeBytes >= startEventMinBytes)) this.record('transfer-start', { range: this.range }, 0, p.sizeBytes);
  }

  private record(type: string, detail: Record<string, unknown>, bytesDone: number, bytesTotal: number): void {
    const event: BootEventInput = { source: 'http', type, at: new Date(), detail: { file: this.what, clientIp: this.clientIp, ...this.extra, ...detail }, bytesDone, bytesTotal };
    if (this.client) this.send(event);
    else this.held.push(event);
  }

  private send(event: BootEventInput): void {
    const client = this.client!;
    this.ctx.events.record({ ...event, hostId: client.host?.id ?? null, mac: client.mac, detail: { ...event.detail, matchedBy: client.by } });
  }

  onProgress(sent: number, bytesTotal: number): void {
    const now = Date.now();
    if (now - this.lastProgressMs < this.progressIntervalMs || sent >= bytesTotal) return;
    this.lastProgressMs = now;
    this.record('progress', {}, sent, bytesTotal);
  }

  onDone(result: FileResponseResult): void {
    const durationMs = Date.now() - this.startedAtMs;
    const range = this.range ? { range: this.range } : {};
    if (result.ok) {
      this.counters.inc('fleetboot_http_transfers_total', 'HTTP boot downloads by result', { result: 'done' });
      this.counters.inc('fleetboot_http_bytes_sent_total', 'Bytes sent in HTTP boot downloads', {}, result.bytesSent);
      if (!this.quiet) this.record('transfer-done', { status: result.status, durationMs, bytesPerSecond: transferRate(result.bytesSent, durationMs), ...range }, result.bytesSent, this.p.sizeBytes);
    } else if (result.aborted) {
      this.counters.inc('fleetboot_http_transfers_total', 'HTTP boot downloads by result', { result: 'aborted' });
      this.record('transfer-aborted', { reason: result.reason, durationMs, ...range }, result.bytesSent, this.p.sizeBytes);
    } else {
      this.counters.inc('fleetboot_http_transfers_total', 'HTTP boot downloads by result', { result: 'error' });
      this.record('transfer-error', { reason: result.reason, ...range }, result.bytesSent, this.p.sizeBytes);
    }
  }
}

/** The port a listening server got (the configured one, or the kernel's pick for port 0 in tests). */
function port(server: http.Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
