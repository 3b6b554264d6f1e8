// IPMI power control through Debian's ipmitool over lanplus (IPMI 2.0 RMCP+). Every call is
// bounded: ipmitool's own retries are kept short, and a watchdog kills the process group when
// the whole call passes its deadline (DESIGN.md "Facts found": with the wrong cipher suite a BMC
// may never answer and ipmitool waits until its retries run out). The password goes through the
// environment (-E reads IPMI_PASSWORD), never the command line that `ps` shows.
import { spawn } from 'node:child_process';

export type PowerState = 'on' | 'off';

export interface BmcTarget {
  /** host or host:port (IPv6 as [addr]:port); the port defaults to 623 */
  address: string;
  user: string;
  password: string;
}

export interface IpmiOptions {
  /** Hard limit for one ipmitool run, process killed after it. */
  timeoutMs?: number;
  /** ipmitool's per-try timeout (-N, seconds) and retries (-R). */
  retryTimeoutSeconds?: number;
  retries?: number;
  /** ipmitool's cipher suite (-C); 3 = HMAC-SHA1 + AES-CBC-128, what ipmi_sim and most BMCs take. */
  cipherSuite?: number;
  /** The binary, for tests. */
  ipmitoolPath?: string;
}

export const defaultIpmiTimeoutMs = 15_000;
const defaultRetryTimeoutSeconds = 2;
const defaultRetries = 2;

export type IpmiFailureKind = 'auth' | 'unreachable' | 'timeout' | 'refused' | 'missing-tool';

/** A failed BMC call: what the operator should read, and what kind of failure it was. */
export class IpmiError extends Error {
  constructor(readonly kind: IpmiFailureKind, message: string, readonly output: string) {
    super(message);
  }
}

export function parseBmcAddress(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : 623 };
  const parts = address.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return { host: parts[0]!, port: Number(parts[1]) };
  return { host: address, port: 623 };
}

const sessionFailure = 'Unable to establish IPMI v2 / RMCP+ session';

/** Runs `ipmitool -I lanplus … <args>`; resolves with stdout, or rejects with an IpmiError. */
export function runIpmitool(target: BmcTarget, args: string[], opts: IpmiOptions = {}): Promise<string> {
  const { host, port } = parseBmcAddress(target.address);
  const timeoutMs = opts.timeoutMs ?? defaultIpmiTimeoutMs;
  const retryTimeout = opts.retryTimeoutSeconds ?? defaultRetryTimeoutSeconds;
  const retries = opts.retries ?? defaultRetries;
  const argv = ['-I', 'lanplus', '-C', String(opts.cipherSuite ?? 3), '-H', host, '-p', String(port), '-U', target.user, '-E', '-N', String(retryTimeout), '-R', String(retries), ...args];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(/*turbopackIgnore: true*/ opts.ipmitoolPath ?? 'ipmitool', argv, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', IPMI_PASSWORD: target.password } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const watchdog = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(watchdog);
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new IpmiError(missing ? 'missing-tool' : 'refused', missing ? 'ipmitool is not installed (Debian package ipmitool)' : `ipmitool could not run: ${err.message}`, ''));
    });
    child.on('close', (code) => {
      clearTimeout(watchdog);
      const output = `${stdout}${stderr}`.trim();
      const elapsedMs = Date.now() - started;
      if (timedOut) {
        return reject(new IpmiError('timeout', `no answer from the BMC at ${target.address} within ${Math.round(timeoutMs / 1000)} s (ipmitool stopped)`, output));
      }
      if (code === 0) return resolve(stdout);
      if (output.includes(sessionFailure)) {
        // ipmitool prints the same line for a wrong password (the BMC answers at once) and for
        // a BMC that never answers (after all its retries): the time taken tells them apart.
        const waitedForRetries = elapsedMs >= retryTimeout * 1000 * Math.max(1, retries) * 0.9;
        return reject(waitedForRetries
          ? new IpmiError('unreachable', `no answer from the BMC at ${target.address} after ${(elapsedMs / 1000).toFixed(1)} s: ${sessionFailure} (is the address right, and does the BMC offer cipher suite ${opts.cipherSuite ?? 3}?)`, output)
          : new IpmiError('auth', `the BMC at ${target.address} refused the session: ${sessionFailure} (wrong user or password?)`, output));
      }
      reject(new IpmiError('refused', `the BMC at ${target.address} refused the command: ${output.split('\n').pop() || `ipmitool exit ${code}`}`, output));
    });
  });
}

export async function chassisPowerStatus(target: BmcTarget, opts?: IpmiOptions): Promise<PowerState> {
  const out = await runIpmitool(target, ['chassis', 'power', 'status'], opts);
  const m = /Chassis Power is (on|off)/i.exec(out);
  if (!m) throw new IpmiError('refused', `unexpected answer from the BMC at ${target.address}: ${out.trim()}`, out);
  return m[1]!.toLowerCase() as PowerState;
}

export async function chassisPower(target: BmcTarget, action: 'on' | 'off' | 'cycle' | 'reset', opts?: IpmiOptions): Promise<void> {
  await runIpmitool(target, ['chassis', 'power', action], opts);
}

/** Next boot (only the next) from the network. */
export async function chassisBootdevPxeOnce(target: BmcTarget, opts?: IpmiOptions): Promise<void> {
  await runIpmitool(target, ['chassis', 'bootdev', 'pxe'], opts);
}

/**
 * What a rollout wants: PXE once, then a fresh boot. `power cycle` is refused by many BMCs
 * when the chassis is off, so an off machine is powered on instead.
 */
export async function pxeBootNow(target: BmcTarget, opts?: IpmiOptions): Promise<'cycled' | 'powered-on'> {
  await chassisBootdevPxeOnce(target, opts);
  if ((await chassisPowerStatus(target, opts)) === 'off') {
    await chassisPower(target, 'on', opts);
    return 'powered-on';
  }
  await chassisPower(target, 'cycle', opts);
  return 'cycled';
}
