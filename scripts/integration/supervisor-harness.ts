// The supervisor as an operator runs it, for the integration tests: `npm start` (or the
// supervisor's node process directly) on a data directory of its own, with web, bootd (HTTP
// boot only: no privileged ports) and the embedded PostgreSQL on free loopback ports.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { embeddedDbName, embeddedDbUser } from '../../server/db/embedded-postgres.ts';
import { freePort } from '../../server/testing/web-app.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const adminPassword = 'restart-test-password';

export interface SupervisorPorts { web: number; pg: number; http: number; admin: number }

export interface Started {
  /** `npm` when started through npm, else the supervisor itself. */
  child: ChildProcess;
  output: () => string;
  /** The console. */
  url: string;
  ports: SupervisorPorts;
}

export async function supervisorPorts(): Promise<SupervisorPorts> {
  return { web: await freePort(), pg: await freePort(), http: await freePort(), admin: await freePort() };
}

/**
 * Starts it and resolves once the console answers. `via: 'npm'` runs `npm start` in a process
 * group of its own (a terminal's Ctrl-C is a SIGINT to the group).
 */
export async function startSupervisor(dataDir: string, ports: SupervisorPorts, opts: { via?: 'npm' | 'node'; env?: Record<string, string> } = {}): Promise<Started> {
  const env = {
    ...process.env,
    DATABASE_URL: '',
    FLEETBOOT_DATA_DIR: dataDir,
    FLEETBOOT_PORT: String(ports.web),
    FLEETBOOT_HOST: '127.0.0.1',
    FLEETBOOT_PG_PORT: String(ports.pg),
    FLEETBOOT_ADMIN_PASSWORD: adminPassword,
    FLEETBOOT_SERVICES: 'http',
    FLEETBOOT_BOOT_HTTP_PORT: String(ports.http),
    FLEETBOOT_BOOTD_ADDRESS: '127.0.0.1',
    FLEETBOOT_BOOTD_ADMIN_PORT: String(ports.admin),
    ...opts.env,
  };
  const child = opts.via === 'npm'
    ? spawn('npm', ['start', '--silent'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, ['--import', 'tsx', 'scripts/fleetboot.ts', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const url = `http://127.0.0.1:${ports.web}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`supervisor exited: ${out}`);
    try {
      if ((await fetch(`${url}/api/v1/openapi.json`)).ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`not up in 180 s: ${out}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { child, output: () => out, url, ports };
}

export async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: adminPassword }) });
  assert.equal(res.status, 200, 'admin signs in');
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

export function clusterDir(dataDir: string): string {
  const pointer = path.join(dataDir, 'postgres-location');
  return fs.existsSync(pointer) ? fs.readFileSync(pointer, 'utf8').trim() : path.join(dataDir, 'postgres');
}

/**
 * Removes a test's data directory and, when its cluster lives outside it (postgres-location: the
 * postgres user could not enter a mode-700 parent), that cluster too: /var/lib/fleetboot kept
 * ~70 MB of every such run.
 */
export function removeDataDir(dataDir: string): void {
  const cluster = clusterDir(dataDir);
  if (!cluster.startsWith(path.resolve(dataDir) + path.sep)) fs.rmSync(cluster, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}

export function postmasterPid(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(clusterDir(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}

export function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve(probe()).catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The direct children of a process, with their command lines. */
export function childrenOf(pid: number): Array<{ pid: number; cmd: string }> {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch { return []; }
  return out.trim().split('\n').filter(Boolean).map((l) => {
    const m = /^\s*(\d+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), cmd: m[2]! };
  });
}

/** The supervisor's pid and its web and bootd children's. */
export function supervisedPids(s: Started): { supervisor: number; web: number; bootd: number } {
  const top = s.child.pid!;
  const supervisor = childrenOf(top).find((c) => c.cmd.includes('scripts/fleetboot.ts'))?.pid ?? top;
  const kids = childrenOf(supervisor);
  const find = (needle: string) => kids.find((c) => c.cmd.includes(needle))?.pid ?? 0;
  return { supervisor, web: find('scripts/web.ts'), bootd: find('boot-services/main.ts') };
}

/** A pg client on the embedded cluster, as the supervisor's processes reach it. */
export async function connectEmbedded(dataDir: string, port: number): Promise<pg.Client> {
  const password = fs.readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
  const client = new pg.Client({ host: '127.0.0.1', port, user: embeddedDbUser, password, database: embeddedDbName });
  await client.connect();
  return client;
}

export async function bootdHealth(s: Started): Promise<{ viewLive: boolean; hosts: number; eventsPending: number }> {
  const res = await fetch(`http://127.0.0.1:${s.ports.admin}/healthz`);
  return res.json() as Promise<{ viewLive: boolean; hosts: number; eventsPending: number }>;
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
}

export async function stopGracefully(s: Started): Promise<void> {
  s.child.kill('SIGTERM');
  await exited(s.child);
}
