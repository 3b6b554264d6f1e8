// The real web process (scripts/web.ts, production build) inside a QEMU lab's namespace, next to
// its bootd, as on a Fleetboot machine: the API reads a host's syslog tail from bootd's admin
// endpoint on the namespace's loopback. The test reaches the API with curl in that namespace,
// signed in as a viewer (a session written straight into the lab's database).
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../../server/auth/passwords.ts';
import { hashSecret, newSecret } from '../../server/auth/secrets.ts';
import type pg from 'pg';
import type { LabNamespace } from '../../boot-services/testing/netns-lab.ts';
import { repoRoot } from './qemu-lab.ts';

/** Inside the lab's namespace nothing else listens: a fixed port is fine. */
const webPort = 3000;

export function labWebSkipReason(): string | null {
  if (!fs.existsSync(path.join(repoRoot, process.env.FLEETBOOT_NEXT_DIST_DIR || '.next', 'BUILD_ID'))) {
    // scripts/test.sh builds before the labs: in CI a missing build is a broken run, not a reason to check less.
    if (process.env.CI) throw new Error('no production build of the console in CI: the labs\' log checks need it');
    return 'no production build of the console (run `npx next build`)';
  }
  try { execFileSync('which', ['curl'], { stdio: 'ignore' }); } catch { return 'curl is not installed'; }
  return null;
}

export interface LabWeb {
  /** GET an /api/v1 path as the lab's viewer; the body parsed as JSON. */
  get<T = unknown>(apiPath: string): { status: number; body: T };
}

/** Where the console runs: a lab's namespace, its database and scratch directory. */
export interface LabWebPlace { server: LabNamespace; db: { url: string }; pool: pg.Pool; tmp: string }

/**
 * The console in `lab.server`, on the namespace's loopback; `listen` (e.g. 0.0.0.0) for boot
 * servers in other namespaces, `dataDir` for the console's files (default <tmp>/web).
 */
export async function startLabWeb(lab: LabWebPlace, opts: { listen?: string; dataDir?: string } = {}): Promise<LabWeb> {
  const userId = randomUUID();
  const session = newSecret();
  await lab.pool.query(`INSERT INTO "User" (id, username, "passwordHash", role, "updatedAt") VALUES ($1, 'lab-viewer', $2, 'viewer'::"UserRole", now())`, [userId, await hashPassword(newSecret())]);
  await lab.pool.query(`INSERT INTO "UserSession" ("tokenHash", "userId", "expiresAt") VALUES ($1, $2, now() + interval '1 day')`, [hashSecret(session), userId]);
  const dataDir = opts.dataDir ?? path.join(lab.tmp, 'web');
  fs.mkdirSync(dataDir, { recursive: true });
  const child = lab.server.spawn('node', ['--import', 'tsx', path.join(repoRoot, 'scripts/web.ts')], {
    cwd: repoRoot,
    stdio: 'pipe',
    env: {
      ...process.env, DATABASE_URL: lab.db.url, FLEETBOOT_PORT: String(webPort), FLEETBOOT_HOST: opts.listen ?? '127.0.0.1', FLEETBOOT_DATA_DIR: dataDir,
      FLEETBOOT_BOOTD_ADMIN_PORT: '9467', NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1',
      // The lab drives stages and rollouts itself (if at all): no second lifecycle worker here.
      FLEETBOOT_LIFECYCLE_TICK_MS: '0',
    },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

  const get = <T>(apiPath: string): { status: number; body: T } => {
    const out = lab.server.exec('curl', ['-s', '-m', '10', '-w', '\n%{http_code}', '-H', `Cookie: fleetboot_session=${session}`, `http://127.0.0.1:${webPort}/api/v1${apiPath}`]);
    const cut = out.lastIndexOf('\n');
    const status = Number(out.slice(cut + 1));
    let body: unknown = null;
    try { body = JSON.parse(out.slice(0, cut)); } catch { body = out.slice(0, cut); }
    return { status, body: body as T };
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`web process exited: ${output}`);
    try {
      if (get('/openapi.json').status === 200) break;
    } catch { /* curl: not listening yet */ }
    if (Date.now() > deadline) throw new Error(`web process did not answer within 90 s: ${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { get };
}
