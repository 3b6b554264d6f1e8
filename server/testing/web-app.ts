// Starts the real web process (scripts/web.ts: Next.js production build + our HTTP server) on
// a fresh migrated test database and a free loopback port, with an admin user, for API and
// UI tests. Needs `npx next build` first (scripts/test.sh does it).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { hashPassword } from '../auth/passwords.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const testAdmin = { username: 'admin', password: 'admin-password-for-tests' };

export interface TestWebApp {
  url: string;
  db: TestDatabase;
  /** its web process */
  web: WebProcess;
  /** Signs in and returns the session cookie header value. */
  signIn(username?: string, password?: string): Promise<string>;
  /** Adds a user directly in the database (fast path for tests). */
  addUser(username: string, password: string, role: 'admin' | 'operator' | 'viewer'): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface WebProcess {
  url: string;
  /** the node process (tests kill -9 it to play a crash) */
  pid: number;
  /** what it printed so far (for a failing test's message) */
  output(): string;
  /** Stops the process and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * The real web process (scripts/web.ts, production build) on a free loopback port against an
 * existing database (e.g. a QEMU boot lab's); resolves once it answers. Adds no users.
 * `dataDir` reuses a data directory (a restart of a killed process); the caller then owns it.
 */
export async function startWebProcess(databaseUrl: string, opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<WebProcess> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fb-web-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/web.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, FLEETBOOT_PORT: String(port), FLEETBOOT_HOST: '127.0.0.1', FLEETBOOT_DATA_DIR: dataDir, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    }
    if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`web process exited: ${output}`);
      try {
        const res = await fetch(`${url}/api/v1/openapi.json`);
        if (res.ok) break;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`web process did not answer within 60 s: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid!, output: () => output, stop };
}

export async function startTestWebApp(label = 'web'): Promise<TestWebApp> {
  if (!fs.existsSync(path.join(root, process.env.FLEETBOOT_NEXT_DIST_DIR || '.next', 'BUILD_ID'))) throw new Error('run `npx next build` before the web tests');
  const db = await createTestDatabase(label);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const addUser = async (username: string, password: string, role: string) => {
    await client.query(`INSERT INTO "User" (id, username, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, $3::"UserRole", now())`, [username, await hashPassword(password), role]);
  };
  await addUser(testAdmin.username, testAdmin.password, 'admin');
  const web = await startWebProcess(db.url);
  const url = web.url;
  return {
    url,
    db,
    web,
    addUser,
    async signIn(username = testAdmin.username, password = testAdmin.password) {
      const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ username, password }) });
      if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      const cookie = res.headers.get('set-cookie')?.split(';')[0];
      if (!cookie) throw new Error('no session cookie');
      return cookie;
    },
    async stop() {
      await web.stop();
      await client.end();
      await db.drop();
    },
  };
}

/**
 * A small JSON client for API tests: session cookie or bearer token. With the cookie it sends
 * the console's Origin, as the console's pages do (server/auth/same-origin.ts refuses without).
 */
export function apiClient(base: string, auth: { cookie?: string; token?: string }) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(auth.cookie ? { cookie: auth.cookie, origin: new URL(base).origin } : {}),
    ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
    ...extra,
  });
  const call = async (method: string, p: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${base}/api/v1${p}`, {
      method,
      headers: headers(body !== undefined ? { 'content-type': contentType } : {}),
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    // Tests read arbitrary fields of JSON answers.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  return {
    get: (p: string) => call('GET', p),
    post: (p: string, body?: unknown, contentType?: string) => call('POST', p, body, contentType),
    patch: (p: string, body: unknown) => call('PATCH', p, body),
    delete: (p: string) => call('DELETE', p),
  };
}
