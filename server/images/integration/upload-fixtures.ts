// What the artifact upload suites share: the web process behind a test app (its pid for RSS,
// its data directory for the store), images to upload into, the store's files as an operator
// would list them, and an RSS sampler for the multi-GB uploads.
import assert from 'node:assert/strict';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRole, unique, type Api } from '../../api/integration/fixtures.ts';

/** The web process of this app (by its port in /proc/<pid>/environ) and its data directory. */
export function findWebProcess(port: string): { pid: number; dataDir: string } {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmd.includes('scripts/web.ts')) continue;
      const env = Object.fromEntries(fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      if (env.FLEETBOOT_PORT === port) return { pid: Number(entry), dataDir: env.FLEETBOOT_DATA_DIR! };
    } catch { /* gone meanwhile */ }
  }
  throw new Error(`no web process on port ${port}`);
}

export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** Samples a process's RSS every 100 ms until stop(): the highest seen and the growth in MiB. */
export function sampleRss(pid: number): { stop: () => { beforeMiB: number; maxMiB: number; growthMiB: number } } {
  const before = rssBytes(pid);
  let max = before;
  const timer = setInterval(() => { max = Math.max(max, rssBytes(pid)); }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      const mib = (n: number) => n / 1024 / 1024;
      return { beforeMiB: mib(before), maxMiB: mib(max), growthMiB: mib(max - before) };
    },
  };
}

export async function newImage(api: Api, rootMode: 'ram' | 'nfs' = 'nfs'): Promise<{ id: string; roleId: string }> {
  const role = await createRole(api, rootMode === 'nfs' ? { rootMode, nfsExport: '10.0.0.1:/srv/root' } : { rootMode });
  const res = await api.post('/images', { roleId: role.id, version: unique('v') });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, roleId: role.id };
}

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export const storeDir = (dataDir: string) => path.join(dataDir, 'artifacts');

/** The store's files: artifacts by sha256 and temp files of uploads in flight (not the sessions' folder). */
export function storeFiles(dataDir: string): string[] {
  const dir = storeDir(dataDir);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f !== '.uploads').sort() : [];
}

export async function waitForNoIncoming(dataDir: string, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const incoming = storeFiles(dataDir).filter((f) => f.startsWith('.incoming-'));
    if (incoming.length === 0 || Date.now() > deadline) return incoming;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const MiB = 1024 * 1024;
const generatedBlock = randomBytes(MiB);

/**
 * Bytes [from, to) of a generated multi-GB file, in 1 MiB blocks that each differ (the first 8
 * bytes are the block's offset, so a dedup or a replayed chunk would show), hashed into `hash`.
 */
export function* distinctMiBs(from: number, to: number, hash: Hash): Generator<Buffer> {
  for (let at = from; at < to; at += MiB) {
    const b = Buffer.from(generatedBlock);
    b.writeBigUInt64BE(BigInt(at));
    hash.update(b);
    yield b;
  }
}

/** Runs a 1 GiB upload while sampling the web process's RSS; logs its speed and memory as `label`. */
export async function measureGiBUpload<T>(pid: number, label: string, upload: () => Promise<T>): Promise<{ result: T; growthMiB: number }> {
  const rss = sampleRss(pid);
  const started = Date.now();
  let memory: ReturnType<ReturnType<typeof sampleRss>['stop']>;
  let result: T;
  try {
    result = await upload();
  } finally {
    memory = rss.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`# ${label}: ${seconds.toFixed(1)} s, ${(1024 / seconds).toFixed(0)} MiB/s; web RSS ${memory.beforeMiB.toFixed(0)} MiB before, max ${memory.maxMiB.toFixed(0)} MiB (+${memory.growthMiB.toFixed(0)} MiB)`);
  return { result, growthMiB: memory.growthMiB };
}
