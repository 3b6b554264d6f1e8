// A replicated PostgreSQL for tests, from Debian's parts: one etcd, three Patroni-managed
// PostgreSQL 15 nodes and HAProxy, all on loopback with their own ports, data under one temp
// directory. The nodes run the shipped deploy/patroni/patroni.yml (per-node values from
// PATRONI_* variables, as in production) and HAProxy the shipped deploy/patroni/haproxy.cfg,
// so a test of this cluster tests the documented setup. Fleetboot reaches it through HAProxy:
// node-postgres has no multi-host connection string (no target_session_attrs).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './web-app.ts';
import { until } from './until.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const patroniConfigFile = path.join(root, 'deploy/patroni/patroni.yml');
export const haproxyConfigFile = path.join(root, 'deploy/patroni/haproxy.cfg');
const pgBinDir = '/usr/lib/postgresql/15/bin';
const runAsUser = 'postgres'; // Debian's postgresql-common makes it; postgres refuses root
const appUser = 'fleetboot';
const appDatabase = 'fleetboot';

/** The Debian programs the cluster needs; the reason a test must skip when one is missing. */
export function patroniClusterMissing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (PostgreSQL runs as the postgres user)';
  const needed = ['/usr/bin/patroni', '/usr/bin/patronictl', '/usr/bin/etcd', '/usr/sbin/haproxy', `${pgBinDir}/postgres`];
  const missing = needed.filter((p) => !fs.existsSync(p));
  return missing.length ? `missing ${missing.join(', ')} (apt-get install patroni etcd-server haproxy postgresql-15)` : null;
}

export interface PatroniNode {
  name: string;
  pgPort: number;
  restPort: number;
  dataDir: string;
  /** the patroni process; null once killed */
  patroni: ChildProcess | null;
}

export interface MemberState {
  name: string;
  role: string;
  state: string;
  lagBytes: number | null;
}

export interface PatroniCluster {
  nodes: PatroniNode[];
  /** Fleetboot's URL: through HAProxy to whichever node is the primary. */
  url: string;
  /**
   * The same over HAProxy's unix socket (startPatroniCluster({ unixSocket: true })): for a
   * process inside a network namespace, whose loopback is its own.
   */
  socketUrl: string | null;
  /** Superuser URL through HAProxy (creating test databases). */
  adminUrl: string;
  /** The name of the node holding the leader key right now, or null. */
  leaderName(): Promise<string | null>;
  members(): Promise<MemberState[]>;
  /** The postmaster pid of a node (from its postmaster.pid), or null. */
  postmasterPid(node: PatroniNode): number | null;
  /** `patronictl` against this cluster; returns its output. */
  patronictl(args: string[]): string;
  /** The same without blocking the event loop (a test keeps writing meanwhile). */
  patronictlAsync(args: string[]): Promise<string>;
  /** Resolves once both replicas stream again and one is synchronous (after a failover, pg_rewind). */
  waitReplicating(timeoutMs: number): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

function runAsIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', runAsUser], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', runAsUser], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function alive(child: ChildProcess | null): child is ChildProcess {
  return child !== null && child.exitCode === null && child.signalCode === null;
}

async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!alive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startPatroniCluster(opts: { log?: (line: string) => void; unixSocket?: boolean } = {}): Promise<PatroniCluster> {
  const ids = runAsIds();
  const dir = fs.mkdtempSync('/var/tmp/fb-patroni-');
  fs.chmodSync(dir, 0o755);
  // The shipped config puts sockets there (Debian's default); tmpfs /run may have lost it.
  fs.mkdirSync('/var/run/postgresql', { recursive: true, mode: 0o2775 });
  fs.chownSync('/var/run/postgresql', ids.uid, ids.gid);
  const namespace = `/fleetboot-lab-${randomBytes(4).toString('hex')}/`;
  const superPassword = randomBytes(12).toString('hex');
  const replPassword = randomBytes(12).toString('hex');
  const appPassword = randomBytes(12).toString('hex');
  let output = '';
  const children: ChildProcess[] = [];
  const capture = (label: string, child: ChildProcess) => {
    const onData = (b: Buffer) => {
      for (const line of b.toString().split('\n').filter(Boolean)) {
        output += `[${label}] ${line}\n`;
        opts.log?.(`[${label}] ${line}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    children.push(child);
  };

  const etcdClientPort = await freePort();
  const etcdPeerPort = await freePort();
  const etcdDir = path.join(dir, 'etcd');
  fs.mkdirSync(etcdDir, { mode: 0o700 });
  const etcd = spawn('/usr/bin/etcd', [
    '--name', 'lab', '--data-dir', etcdDir,
    '--listen-client-urls', `http://127.0.0.1:${etcdClientPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClientPort}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeerPort}`,
    '--initial-cluster', `lab=http://127.0.0.1:${etcdPeerPort}`, '--initial-cluster-state', 'new',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  capture('etcd', etcd);

  const nodes: PatroniNode[] = [];
  for (const name of ['pg1', 'pg2', 'pg3']) {
    nodes.push({ name, pgPort: await freePort(), restPort: await freePort(), dataDir: path.join(dir, name, 'data'), patroni: null });
  }
  const patroniEnv = (node: PatroniNode): NodeJS.ProcessEnv => ({
    ...process.env,
    LC_ALL: 'C.UTF-8',
    PATRONI_NAMESPACE: namespace,
    PATRONI_NAME: node.name,
    PATRONI_RESTAPI_LISTEN: `127.0.0.1:${node.restPort}`,
    PATRONI_RESTAPI_CONNECT_ADDRESS: `127.0.0.1:${node.restPort}`,
    PATRONI_POSTGRESQL_LISTEN: `127.0.0.1:${node.pgPort}`,
    PATRONI_POSTGRESQL_CONNECT_ADDRESS: `127.0.0.1:${node.pgPort}`,
    PATRONI_POSTGRESQL_DATA_DIR: node.dataDir,
    PATRONI_POSTGRESQL_PGPASS: path.join(dir, node.name, 'pgpass'),
    PATRONI_ETCD3_HOSTS: `127.0.0.1:${etcdClientPort}`,
    PATRONI_SUPERUSER_PASSWORD: superPassword,
    PATRONI_REPLICATION_PASSWORD: replPassword,
  });
  const restGet = async (node: PatroniNode, p: string): Promise<Response | null> => {
    try {
      return await fetch(`http://127.0.0.1:${node.restPort}${p}`, { signal: AbortSignal.timeout(2000) });
    } catch {
      return null;
    }
  };

  const haproxyPort = await freePort();
  const stop = async () => {
    // Every node is ours and throwaway: all Patroni (each stops its PostgreSQL) and HAProxy at
    // once, then any postmaster left behind by a killed Patroni, then etcd.
    await Promise.all(children.filter((c) => c !== etcd).map((c) => stopChild(c, 'SIGTERM', 20_000)));
    for (const node of nodes) {
      const pid = postmasterPid(node);
      if (pid && pidAlive(pid)) {
        process.kill(pid, 'SIGQUIT');
        await until(`postgres ${node.name} to stop`, () => !pidAlive(pid), 20_000).catch(() => process.kill(pid, 'SIGKILL'));
      }
    }
    await stopChild(etcd, 'SIGTERM', 10_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const postmasterPid = (node: PatroniNode): number | null => {
    try {
      const pid = Number(fs.readFileSync(path.join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 && pidAlive(pid) ? pid : null;
    } catch {
      return null;
    }
  };

  try {
    await until('etcd to answer', async () => (await fetch(`http://127.0.0.1:${etcdClientPort}/health`).catch(() => null))?.ok, 30_000, 200);
    for (const node of nodes) {
      fs.mkdirSync(path.dirname(node.dataDir), { mode: 0o700 });
      fs.chownSync(path.dirname(node.dataDir), ids.uid, ids.gid);
      const child = spawn('/usr/bin/patroni', [patroniConfigFile], { ...ids, cwd: path.dirname(node.dataDir), env: patroniEnv(node), stdio: ['ignore', 'pipe', 'pipe'] });
      capture(node.name, child);
      node.patroni = child;
      // The first node bootstraps the cluster; the others then clone from it, one at a time
      // (two base backups at once on a loaded 2-core box is where a start got stuck).
      if (node === nodes[0]) await until(`${node.name} to lead`, async () => (await restGet(node, '/primary'))?.status === 200, 120_000, 300);
      else await until(`${node.name} to replicate`, async () => (await restGet(node, '/replica'))?.status === 200, 150_000, 500);
    }

    const haproxyDir = path.join(dir, 'haproxy');
    fs.mkdirSync(haproxyDir);
    // HAProxy's bind takes a list: the loopback port, and PostgreSQL's socket name in its own
    // directory (node-postgres connects to <host dir>/.s.PGSQL.<port>).
    const listen = `127.0.0.1:${haproxyPort}${opts.unixSocket ? `,unix@${haproxyDir}/.s.PGSQL.5432` : ''}`;
    const haproxy = spawn('/usr/sbin/haproxy', ['-db', '-f', haproxyConfigFile], {
      env: {
        ...process.env,
        FLEETBOOT_DB_LISTEN: listen,
        ...Object.fromEntries(nodes.flatMap((n, i) => [[`FLEETBOOT_DB${i + 1}`, `127.0.0.1:${n.pgPort}`], [`FLEETBOOT_DB${i + 1}_REST`, String(n.restPort)]])),
      },
      cwd: haproxyDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    capture('haproxy', haproxy);

    const adminUrl = `postgresql://postgres:${superPassword}@127.0.0.1:${haproxyPort}/postgres`;
    const url = `postgresql://${appUser}:${appPassword}@127.0.0.1:${haproxyPort}/${appDatabase}`;
    const socketUrl = opts.unixSocket ? `postgresql://${appUser}:${appPassword}@localhost:5432/${appDatabase}?host=${encodeURIComponent(haproxyDir)}` : null;
    // HAProxy starts with every server up; the replicas are taken out after their first
    // failed checks (fall 2, 1 s apart). Until then a session could land on a replica.
    // pg1 bootstrapped and leads: HAProxy's db1; db2 and db3 must go down.
    await until('HAProxy to take the replicas out', () => /db2 is DOWN/.test(output) && /db3 is DOWN/.test(output), 30_000, 200);
    await until('the primary through HAProxy', async () => {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        return (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r === false;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    }, 60_000, 300);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${appUser} LOGIN PASSWORD '${appPassword}' CREATEDB`);
      await admin.query(`CREATE DATABASE ${appDatabase} OWNER ${appUser}`);
    } finally {
      await admin.end();
    }

    const members = async (): Promise<MemberState[]> => {
      for (const node of nodes) {
        const res = await restGet(node, '/cluster');
        if (!res?.ok) continue;
        const body = await res.json() as { members: { name: string; role: string; state: string; lag?: number | string }[] };
        return body.members.map((m) => ({ name: m.name, role: m.role, state: m.state, lagBytes: typeof m.lag === 'number' ? m.lag : null }));
      }
      return [];
    };
    // Every replica streaming and one of them synchronous: only then is a failover lossless.
    const waitReplicating = async (timeoutMs: number) => {
      let lastMembers: MemberState[] = [];
      await until('two streaming replicas, one synchronous', async () => {
        const m = lastMembers = await members();
        // Patroni 3.0 says "running" for a replica that replicates (later versions "streaming").
        const replicating = (x: MemberState) => x.state === 'running' || x.state === 'streaming';
        return m.filter((x) => x.role === 'sync_standby' && replicating(x)).length === 1
          && m.filter((x) => x.role === 'replica' && replicating(x)).length === 1;
      }, timeoutMs, 500).catch((err: Error) => { throw new Error(`${err.message}; members: ${JSON.stringify(lastMembers)}`); });
    };
    await waitReplicating(60_000);
    const ctlArgs = (args: string[]) => {
      const ctlConfig = path.join(dir, 'patronictl.yml');
      if (!fs.existsSync(ctlConfig)) {
        fs.writeFileSync(ctlConfig, JSON.stringify({ scope: 'fleetboot', namespace, etcd3: { hosts: `127.0.0.1:${etcdClientPort}` } }));
      }
      return ['-c', ctlConfig, ...args];
    };

    return {
      nodes,
      url,
      socketUrl,
      adminUrl,
      members,
      async leaderName() {
        const m = await members();
        return m.find((x) => x.role === 'leader' && x.state === 'running')?.name ?? null;
      },
      postmasterPid,
      patronictl(args: string[]) {
        return execFileSync('/usr/bin/patronictl', ctlArgs(args), { encoding: 'utf8', timeout: 120_000 });
      },
      patronictlAsync(args: string[]) {
        return new Promise<string>((resolve, reject) => {
          execFile('/usr/bin/patronictl', ctlArgs(args), { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`patronictl ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
            else resolve(stdout + stderr);
          });
        });
      },
      waitReplicating,
      output: () => output,
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- cluster output ---\n${output.slice(-6000)}`);
  }
}

/**
 * One query on a fresh connection to the primary behind HAProxy (`url`). Right after a
 * failover or switchover HAProxy may still hand a new connection to the old primary for its
 * check interval (1 s, down after 2 misses), which then cuts it or is read-only: such a try
 * is repeated, for at most 30 s.
 */
export async function queryPrimary<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  let lastError: unknown = null;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined); // a cut connection: the query's own error says so
    try {
      await client.connect();
      const recovery = (await client.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery')).rows[0]?.recovery;
      if (recovery === false) return (await client.query<R>(sql, params)).rows;
      lastError = new Error('reached a replica');
    } catch (err) {
      lastError = err;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw lastError;
}
