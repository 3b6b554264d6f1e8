// fleetboot: the supervisor and its commands.
//   start    embedded PostgreSQL (unless DATABASE_URL is set) → migrations → first admin →
//            web + bootd, logs prefixed per process, restarts a crashed child or a crashed
//            PostgreSQL (never web or bootd because of it), and stops in order: web and bootd
//            first (they flush events, discovery sightings, heartbeats), PostgreSQL last
//   web      the console and API alone       bootd    the boot services alone
//   migrate  apply migrations and exit
// `npm start` execs this file (package.json), so npm's SIGTERM/SIGINT reach it directly.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts';
import { migrate } from '../server/db/migrate.ts';
import { startKeptPostgres, type KeptPostgres } from './supervisor/embedded-postgres-restarts.ts';
import { RestartBackoff } from './supervisor/restart-backoff.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.FLEETBOOT_DATA_DIR ?? path.join(root, 'data'));
const say = (prefix: string, line: string) => process.stdout.write(`[${prefix}] ${line}\n`);
/** How long web and bootd get to flush and exit on stop before they are killed. */
const childStopTimeoutMs = 20_000;
const pgPort = () => (process.env.FLEETBOOT_PG_PORT ? Number(process.env.FLEETBOOT_PG_PORT) : undefined);
const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
/** Boot servers on other machines reach the embedded PostgreSQL at these addresses, from these networks. */
const pgReach = () => ({ listenAddresses: list(process.env.FLEETBOOT_POSTGRES_LISTEN), clientNetworks: list(process.env.FLEETBOOT_POSTGRES_CLIENTS) });

/** For one-shot commands: the embedded PostgreSQL, stopped by the caller. */
async function database(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const pg = await startEmbeddedPostgres({ dataDir, port: pgPort(), log: (l) => say('db', l) });
  return { url: pg.url, stop: () => pg.stop() };
}

async function prepareDatabase(url: string): Promise<void> {
  const result = await migrate(url, { log: (l) => say('fleetboot', l) });
  say('fleetboot', `database schema ready (${result.applied.length} migration(s) applied, ${result.alreadyApplied} already)`);
  process.env.DATABASE_URL = url;
  const { ensureFirstAdmin } = await import('../server/users/queries.ts');
  const admin = await ensureFirstAdmin(process.env.FLEETBOOT_ADMIN_PASSWORD, () => randomBytes(12).toString('base64url'));
  if (admin) {
    say('fleetboot', '────────────────────────────────────────────────────────');
    say('fleetboot', `first admin created: user "${admin.username}"  password "${admin.password}"`);
    const consoleUrl = (process.env.FLEETBOOT_PUBLIC_URL?.split(',')[0]?.trim() || `http://localhost:${process.env.FLEETBOOT_PORT ?? 3000}`).replace(/\/$/, '');
    say('fleetboot', `this password is shown once: sign in and change it on the Account page, ${consoleUrl}/account`);
    say('fleetboot', '────────────────────────────────────────────────────────');
  }
}

function ensureBuilt(): void {
  if (fs.existsSync(path.join(root, process.env.FLEETBOOT_NEXT_DIST_DIR || '.next', 'BUILD_ID'))) return;
  throw new Error('the web console is not built: run `npm run build` (scripts/setup.sh does)');
}

interface ChildSpec { name: string; args: string[] }

function superviseChild(spec: ChildSpec, env: NodeJS.ProcessEnv, state: { stopping: boolean }, children: Map<string, ChildProcess>): void {
  const backoff = new RestartBackoff();
  const launch = () => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', ...spec.args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(spec.name, child);
    const pipe = (stream: NodeJS.ReadableStream | null) => {
      let buf = '';
      stream?.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        lines.forEach((l) => say(spec.name, l));
      });
    };
    pipe(child.stdout);
    pipe(child.stderr);
    child.on('exit', (code, signal) => {
      children.delete(spec.name);
      if (state.stopping) return;
      const delayMs = backoff.nextDelayMs(Date.now() - started);
      say('fleetboot', `${spec.name} exited (${code ?? signal}); restarting in ${delayMs / 1000} s`);
      setTimeout(launch, delayMs);
    });
  };
  launch();
}

/** SIGTERM to each child, SIGKILL after childStopTimeoutMs; resolves when all have exited. */
function stopChildren(children: Map<string, ChildProcess>): Promise<unknown> {
  return Promise.all([...children.entries()].map(([name, c]) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve(null);
    c.once('exit', resolve);
    c.kill('SIGTERM');
    setTimeout(() => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      say('fleetboot', `${name} did not stop within ${childStopTimeoutMs / 1000} s: killing it`);
      c.kill('SIGKILL');
    }, childStopTimeoutMs).unref();
  })));
}

async function start(): Promise<void> {
  ensureBuilt();
  const pg: KeptPostgres | null = process.env.DATABASE_URL ? null : await startKeptPostgres({ dataDir, port: pgPort(), ...pgReach(), log: (l) => say('db', l) });
  const url = pg?.url ?? process.env.DATABASE_URL!;
  const state = { stopping: false };
  const children = new Map<string, ChildProcess>();
  const stop = async (signal: string) => {
    if (state.stopping) return;
    state.stopping = true;
    say('fleetboot', `${signal}: stopping web and bootd (they flush to the database first)`);
    await stopChildren(children);
    if (pg) {
      say('fleetboot', 'stopping PostgreSQL');
      await pg.stop();
    }
    say('fleetboot', 'stopped');
    process.exit(0);
  };
  // Handled from here on: a signal during migrations still stops PostgreSQL.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  try {
    await prepareDatabase(url);
  } catch (err) {
    await pg?.stop();
    throw err;
  }
  if (state.stopping) return;
  const port = Number(process.env.FLEETBOOT_PORT ?? 3000);
  const env = { ...process.env, DATABASE_URL: url, FLEETBOOT_DATA_DIR: dataDir, FLEETBOOT_SUPERVISED: '1', NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' } as NodeJS.ProcessEnv;
  superviseChild({ name: 'web', args: ['scripts/web.ts'] }, env, state, children);
  superviseChild({ name: 'bootd', args: ['boot-services/main.ts'] }, env, state, children);
  say('fleetboot', `console: http://localhost:${port}  (data in ${dataDir}${pg ? ', embedded PostgreSQL' : ', external PostgreSQL'})`);
}

/**
 * One part in the foreground. On the embedded database it starts PostgreSQL and migrates; on
 * DATABASE_URL bootd neither migrates nor waits for the database (a site's boot server must
 * start, and serve its snapshot, while the central database is away; the console migrates).
 */
async function runAlone(script: string, opts: { migrateExternal: boolean }): Promise<void> {
  const { url, stop } = await database();
  if (!process.env.DATABASE_URL || opts.migrateExternal) await prepareDatabase(url);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: 'inherit', env: { ...process.env, DATABASE_URL: url, FLEETBOOT_DATA_DIR: dataDir } });
  // The child hears a terminal's Ctrl-C itself; SIGTERM (systemd, kill) is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    void stop().finally(() => process.exit(code ?? (signal ? 1 : 0)));
  });
}

const command = process.argv[2] ?? 'start';
const commands: Record<string, () => Promise<void>> = {
  start,
  web: async () => {
    ensureBuilt();
    await runAlone('scripts/web.ts', { migrateExternal: true });
  },
  bootd: () => runAlone('boot-services/main.ts', { migrateExternal: false }),
  migrate: async () => {
    const { url, stop } = await database();
    await prepareDatabase(url);
    await stop();
  },
};
const run = commands[command];
if (!run) {
  console.error(`usage: fleetboot [${Object.keys(commands).join('|')}]`);
  process.exit(2);
}
run().catch((err) => {
  say('fleetboot', `error: ${(err as Error).message}`);
  process.exit(1);
});
