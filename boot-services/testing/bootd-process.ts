// The real bootd process (boot-services/main.ts) for tests that run it on loopback: free ports,
// its own state directory, its output kept, and a bounded stop (SIGTERM, then SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../server/testing/web-app.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoopbackBootd {
  child: ChildProcess;
  stateDir: string;
  httpPort: number;
  adminPort: number;
  output(): string;
  /** Resolves when `pattern` shows in its output; fails if it exits first or the time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with its exit code. */
  exited(timeoutMs?: number): Promise<number | null>;
  /** SIGTERM (or the signal given), SIGKILL after 10 s; removes its state directory unless kept. */
  stop(opts?: { signal?: NodeJS.Signals; keepState?: boolean }): Promise<void>;
}

/** Starts bootd with HTTP, TFTP and its status endpoint on free loopback ports (no DHCP, no syslog unless `env` says). */
export async function startLoopbackBootd(databaseUrl: string, env: Record<string, string> = {}, opts: { stateDir?: string } = {}): Promise<LoopbackBootd> {
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bootd-'));
  const [httpPort, adminPort, tftpPort] = [await freePort(), await freePort(), await freePort()];
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: databaseUrl, FLEETBOOT_BOOTD_ADDRESS: '127.0.0.1', FLEETBOOT_BOOTD_STATE_DIR: stateDir, FLEETBOOT_DATA_DIR: stateDir,
    FLEETBOOT_BOOT_HTTP_PORT: String(httpPort), FLEETBOOT_TFTP_PORT: String(tftpPort), FLEETBOOT_BOOTD_ADMIN_PORT: String(adminPort),
    // Loopback only, also for a named bootd (which would listen on every address).
    FLEETBOOT_BOOTD_ADMIN_BIND: '127.0.0.1', FLEETBOOT_SERVICES: 'tftp,http', ...env,
  };
  delete childEnv.FLEETBOOT_BOOT_INTERFACE;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'boot-services/main.ts')], { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = (timeoutMs = 30_000) => new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => resolve(null), timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
  return {
    child, stateDir, httpPort, adminPort,
    output: () => output,
    exited,
    async waitForOutput(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`bootd exited ${child.exitCode} before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in bootd's output:\n${output}`);
        await sleep(50);
      }
    },
    async stop({ signal = 'SIGTERM', keepState = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        if ((await exited(10_000)) === null && child.exitCode === null) child.kill('SIGKILL');
        await exited(5_000);
      }
      if (!keepState) fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
