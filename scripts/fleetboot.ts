// fleetboot: the supervisor and its commands.
//   start    embedded PostgreSQL (unless DATABASE_URL is set) → migrations → first admin →
//            web + bootd, logs prefixed per process, restarts a crashed child, clean shutdown
//   web      the console and API alone       bootd    the boot services alone
//   migrate  apply migrations and exit
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres, type RunningPostgres } from '../server/db/embedded-postgres.ts';
import { migrate } from '../server/db/migrate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.FLEETBOOT_DATA_DIR ?? path.join(root, 'data'));
const say = (prefix: string, line: string) => process.stdout.write(`[${prefix}] ${line}\n`);

async function database(): Promise<{ url: string; pg: RunningPostgres | null }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, pg: null };
  const pg = await startEmbeddedPostgres({
    dataDir,
    port: process.env.FLEETBOOT_PG_PORT ? Number(process.env.FLEETBOOT_PG_PORT) : undefined,
    log: (l) => say('db', l),
  });
  return { url: pg.url, pg };
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
    say('fleetboot', 'this password is shown once: sign in and change it, or make your own users');
    say('fleetboot', '────────────────────────────────────────────────────────');
  }
}

function ensureBuilt(): void {
  if (fs.existsSync(path.join(root, process.env.FLEETBOOT_NEXT_DIST_DIR || '.next', 'BUILD_ID'))) return;
  throw new Error('the web console is not built: run `npm run build` (scripts/setup.sh does)');
}

interface ChildSpec { name: string; args: string[] }

function superviseChild(spec: ChildSpec, env: NodeJS.ProcessEnv, state: { stopping: boolean }, children: Map<string, ChildProcess>): void {
  let failures = 0;
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
      failures = Date.now() - started > 60_000 ? 1 : failures + 1;
      const delayMs = Math.min(1000 * 2 ** (failures - 1), 30_000);
      say('fleetboot', `${spec.name} exited (${code ?? signal}); restarting in ${delayMs / 1000} s`);
      setTimeout(launch, delayMs);
    });
  };
  launch();
}

async function start(): Promise<void> {
  ensureBuilt();
  const { url, pg } = await database();
  await prepareDatabase(url);
  const port = Number(process.env.FLEETBOOT_PORT ?? 3000);
  const env = { ...process.env, DATABASE_URL: url, FLEETBOOT_DATA_DIR: dataDir, FLEETBOOT_SUPERVISED: '1', NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' } as NodeJS.ProcessEnv;
  const state = { stopping: false };
  const children = new Map<string, ChildProcess>();
  superviseChild({ name: 'web', args: ['scripts/web.ts'] }, env, state, children);
  superviseChild({ name: 'bootd', args: ['boot-services/main.ts'] }, env, state, children);
  say('fleetboot', `console: http://localhost:${port}  (data in ${dataDir}${pg ? ', embedded PostgreSQL' : ', external PostgreSQL'})`);

  const stop = async (signal: string) => {
    if (state.stopping) return;
    state.stopping = true;
    say('fleetboot', `${signal}: stopping`);
    const exits = [...children.values()].map((c) => new Promise((r) => {
      if (c.exitCode !== null || c.signalCode !== null) return r(null);
      c.once('exit', r);
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
    }));
    await Promise.all(exits);
    if (pg) await pg.stop();
    say('fleetboot', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  pg?.process.on('exit', (code) => {
    if (!state.stopping) {
      say('fleetboot', `PostgreSQL exited unexpectedly (${code}); stopping`);
      void stop('postgres exit');
    }
  });
}

async function runAlone(script: string): Promise<void> {
  const { url } = await database();
  await prepareDatabase(url);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: 'inherit', env: { ...process.env, DATABASE_URL: url, FLEETBOOT_DATA_DIR: dataDir } });
  child.on('exit', (code) => process.exit(code ?? 1));
}

const command = process.argv[2] ?? 'start';
const commands: Record<string, () => Promise<void>> = {
  start,
  web: async () => {
    ensureBuilt();
    await runAlone('scripts/web.ts');
  },
  bootd: () => runAlone('boot-services/main.ts'),
  migrate: async () => {
    const { url, pg } = await database();
    await prepareDatabase(url);
    await pg?.stop();
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
