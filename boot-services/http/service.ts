// bootd's HTTP boot service: image artifacts, the discovery environment, bootloaders, iPXE
// scripts generated per MAC, the TFTP namespace over HTTP, and the bootloader status for the
// console. Other work adds its own routes under /boot/v1/ (identity, progress) through
// `extraRoutes` or `addRoute` without touching this file. main.ts calls startHttpService(ctx).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { BootdContext, RunningService } from '../bootd-context.ts';
import { setUpBootFiles } from '../boot-config/boot-files-setup.ts';
import { checkBootFileName, type BootFile, type BootFileLookup, type BootFiles } from '../boot-config/boot-files.ts';
import { FileCache } from '../boot-config/file-cache.ts';
import { normalizeMac, httpBootPrefix, type ArtifactKind } from '../boot-config/boot-paths.ts';
import type { BootloaderStatus } from '../boot-config/bootloaders.ts';
import { sendBootFile, type FileResponseHooks } from './file-response.ts';

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
 * Stat results reused for a short while: a hot small file then costs no syscall at all
 * (what nginx's open_file_cache does). Generated files are never kept: they follow the view.
 */
class LookupCache {
  private readonly entries = new Map<string, { found: BootFileLookup; expiresAtMs: number }>();
  constructor(private readonly ttlMs: number) {}
  async get(key: string, lookup: () => Promise<BootFileLookup>): Promise<BootFileLookup> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAtMs > now) return hit.found;
    const found = await lookup();
    if (found.ok && found.file.kind === 'disk') {
      if (this.entries.size > 10_000) this.entries.clear();
      this.entries.set(key, { found, expiresAtMs: now + this.ttlMs });
    }
    return found;
  }
}

export async function startHttpService(ctx: BootdContext, extraRoutes: readonly HttpRoute[] = [], tuning: HttpTuning = defaultHttpTuning()): Promise<RunningHttpService> {
  const { files, bootloaders } = await setUpBootFiles(ctx);
  const lookups = new LookupCache(tuning.lookupTtlMs);
  const routes: HttpRoute[] = [...builtInRoutes(ctx, files, bootloaders, lookups, tuning), ...extraRoutes];

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    for (const route of routes) {
      const methods = typeof route.method === 'string' ? [route.method] : route.method;
      const match = route.path.exec(path);
      if (!match) continue;
      if (!methods.includes(req.method ?? '')) {
        res.setHeader('Allow', methods.join(', '));
        sendError(res, 405, 'method not allowed');
        return;
      }
      Promise.resolve()
        .then(() => route.handle(req, res, match))
        .catch((err: Error) => {
          ctx.log.error('http route failed', { path, error: err.message });
          if (!res.headersSent) sendError(res, 500, 'internal error');
          else res.destroy();
        });
      return;
    }
    ctx.metrics.inc('fleetboot_http_refused_total', 'HTTP boot requests refused, by reason', { reason: 'no-route' });
    sendError(res, 404, 'not found');
  });
  // Boot clients are few and slow (firmware); keep their connections for the files that follow.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.config.httpPort, ctx.config.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.config.httpPort;
  ctx.log.info('http boot service listening', { address: ctx.config.bindAddress, port });
  return {
    name: 'http',
    port,
    bootloaders,
    addRoute: (route) => { routes.push(route); },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function builtInRoutes(ctx: BootdContext, files: BootFiles, bootloaders: BootloaderStatus[], lookups: LookupCache, tuning: HttpTuning): HttpRoute[] {
  const getOrHead = ['GET', 'HEAD'] as const;
  const serve = async (req: IncomingMessage, res: ServerResponse, key: string, what: string, lookup: () => Promise<BootFileLookup>) => {
    const found = await lookups.get(key, lookup);
    if (!found.ok) {
      ctx.metrics.inc('fleetboot_http_refused_total', 'HTTP boot requests refused, by reason', { reason: found.reason });
      sendError(res, found.reason === 'outside-root' ? 403 : 404, found.message);
      return;
    }
    await sendBootFile(req, res, found.file, tuning.cache, transferHooks(ctx, req, what, found.file, tuning.progressIntervalMs));
  };
  return [
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/images/([^/]+)/(kernel|initrd|rootfs)$`),
      handle: (req, res, m) => serve(req, res, `image:${m[1]}:${m[2]}`, `images/${m[1]}/${m[2]}`, () => files.lookupArtifact(decodeURIComponent(m[1]!), m[2] as ArtifactKind)),
    },
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/(discovery/(?:kernel|initrd))$`),
      handle: (req, res, m) => serve(req, res, `file:${m[1]}`, m[1]!, () => files.lookup(m[1]!, null)),
    },
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/(?:bootloaders|files)/(.+)$`),
      handle: (req, res, m) => {
        let name: string;
        try {
          name = decodeURIComponent(m[1]!);
        } catch {
          sendError(res, 400, 'bad URL encoding');
          return;
        }
        const checked = checkBootFileName(name);
        if (!checked.ok) {
          ctx.metrics.inc('fleetboot_http_refused_total', 'HTTP boot requests refused, by reason', { reason: checked.reason });
          sendError(res, 403, `refused: ${checked.reason}`);
          return;
        }
        // Generated names (pxelinux.cfg/..., grub/...) depend on the client: never cached.
        return serve(req, res, `file:${checked.name}`, checked.name, () => files.lookup(checked.name, clientAddress(req)));
      },
    },
    {
      method: getOrHead,
      path: new RegExp(`^${httpBootPrefix}/ipxe/([^/]+)$`),
      handle: (req, res, m) => {
        const mac = normalizeMac(decodeURIComponent(m[1]!));
        if (!mac && m[1] !== 'default') {
          sendError(res, 400, 'expected a MAC address or "default"');
          return;
        }
        const script = files.ipxeScript(mac);
        const plan = script.plan;
        const host = plan.kind === 'discovery' ? files.view.findHostByIp(clientAddress(req)) : plan.host;
        ctx.events.record({ source: 'http', type: 'boot-config', hostId: host?.id ?? null, mac: mac ?? host?.mac ?? null, detail: { kind: 'ipxe', plan: plan.kind, clientIp: clientAddress(req) } });
        return sendBootFile(req, res, script, tuning.cache);
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^${httpBootPrefix}/status/bootloaders$`),
      handle: (_req, res) => sendJson(res, 200, { bootloaders }),
    },
  ];
}

/** Transfer events for one download, tied to the host by the client's address. */
function transferHooks(ctx: BootdContext, req: IncomingMessage, what: string, file: BootFile, progressIntervalMs: number): FileResponseHooks {
  const clientIp = clientAddress(req);
  const host = ctx.view.findHostByIp(clientIp);
  const base = { source: 'http' as const, hostId: host?.id ?? null, mac: host?.mac ?? null };
  const total = file.kind === 'disk' ? file.sizeBytes : file.bytes.length;
  const startedAtMs = Date.now();
  let lastProgressMs = startedAtMs;
  const range = req.headers.range ?? null;
  if (req.method !== 'HEAD') ctx.events.record({ ...base, type: 'transfer-start', detail: { file: what, clientIp, range }, bytesDone: 0, bytesTotal: total });
  return {
    onProgress(sent, bytesTotal) {
      const now = Date.now();
      if (now - lastProgressMs < progressIntervalMs || sent >= bytesTotal) return;
      lastProgressMs = now;
      ctx.events.record({ ...base, type: 'progress', detail: { file: what, clientIp }, bytesDone: sent, bytesTotal });
    },
    onDone(result) {
      if (result.ok) {
        ctx.metrics.inc('fleetboot_http_transfers_total', 'HTTP boot downloads by result', { result: 'done' });
        ctx.metrics.inc('fleetboot_http_bytes_sent_total', 'Bytes sent in HTTP boot downloads', {}, result.bytesSent);
        if (req.method !== 'HEAD') ctx.events.record({ ...base, type: 'transfer-done', detail: { file: what, clientIp, status: result.status, durationMs: Date.now() - startedAtMs }, bytesDone: result.bytesSent, bytesTotal: total });
      } else {
        ctx.metrics.inc('fleetboot_http_transfers_total', 'HTTP boot downloads by result', { result: 'error' });
        ctx.events.record({ ...base, type: 'transfer-error', detail: { file: what, clientIp, reason: result.reason }, bytesDone: result.bytesSent, bytesTotal: total });
      }
    },
  };
}
