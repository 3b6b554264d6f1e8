// One Serial-over-LAN connection to a host's BMC: Debian's `ipmitool -I lanplus sol activate`
// as a child process (IPMI v2.0 §15 SOL payload over the RMCP+ session of §13; ipmitool does
// the session, the payload's sequence numbers, acks and retransmits). The password goes
// through the environment (-E), as for power actions (../power/ipmi.ts). Console bytes come out
// of ipmitool's stdout; keystrokes go in through its stdin, escaped (sol-escape.ts).
// Ending a link types ipmitool's "~." so the BMC's payload is deactivated at once (a killed
// ipmitool leaves the payload active until the BMC's session times out); the process group
// is killed if ipmitool doesn't leave within solExitWaitMs.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { parseBmcAddress, runIpmitool, type BmcTarget, type IpmiOptions } from '../power/ipmi.ts';
import { escapeSolInput, solEndSequence } from './sol-escape.ts';

const solExitWaitMs = 2_000;
/** ipmitool's own lines around the console bytes (stdout), not the host's output. */
const banner = /^\[SOL Session operational\.\s+Use ~\? for help\]\r?\n/;
const farewell = '[terminated ipmitool]';
const payloadBusy = /SOL payload already active on another session/i;

export type SolEndReason = 'closed' | 'bmc-ended' | 'busy' | 'failed';

export interface SolLinkEvents {
  data: [Buffer];
  /** the payload is active: console bytes flow from here on */
  open: [];
  end: [reason: SolEndReason, detail: string];
}

export interface SolLink extends EventEmitter<SolLinkEvents> {
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
  readonly isOpen: boolean;
}

export interface SolLinkOptions extends IpmiOptions {
  /** before activating, deactivate a payload someone else holds (an admin taking it over) */
  deactivateFirst?: boolean;
}

function solArgs(target: BmcTarget, opts: SolLinkOptions): string[] {
  const { host, port } = parseBmcAddress(target.address);
  // -N/-R: the per-try timeout and retries of ipmitool's RMCP+ requests; SOL keeps its own
  // retransmits (IPMI v2.0 §15.9) inside the session once it is up.
  return ['-I', 'lanplus', '-C', String(opts.cipherSuite ?? 3), '-H', host, '-p', String(port), '-U', target.user, '-E', '-N', String(opts.retryTimeoutSeconds ?? 2), '-R', String(opts.retries ?? 2), 'sol', 'activate'];
}

class IpmitoolSolLink extends EventEmitter<SolLinkEvents> implements SolLink {
  private child: ChildProcess | null = null;
  private atLineStart = true;
  private opened = false;
  private ended = false;
  private closing = false;
  private head = '';
  private stderr = '';

  constructor(private readonly target: BmcTarget, private readonly opts: SolLinkOptions) {
    super();
  }

  get isOpen(): boolean {
    return this.opened && !this.ended;
  }

  async start(): Promise<void> {
    if (this.opts.deactivateFirst) {
      // IPMI v2.0 §24.2 Deactivate Payload: frees the payload whoever holds it.
      await runIpmitool(this.target, ['sol', 'deactivate'], this.opts).catch(() => undefined);
    }
    // ipmitool prints console bytes with stdio: into a pipe they would sit in a 4 KiB buffer.
    // coreutils' stdbuf makes its stdout unbuffered, so each byte leaves as it arrives.
    const child = spawn(/*turbopackIgnore: true*/ 'stdbuf', ['-o0', this.opts.ipmitoolPath ?? 'ipmitool', ...solArgs(this.target, this.opts)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', IPMI_PASSWORD: this.target.password } as unknown as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    child.stdin!.on('error', () => undefined);
    child.stderr!.on('data', (b: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += b.toString();
    });
    child.stdout!.on('data', (b: Buffer) => this.fromIpmitool(b));
    child.on('error', (err) => this.finish('failed', (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'ipmitool is not installed (Debian package ipmitool)' : err.message));
    child.on('close', (code) => {
      const detail = `${this.head}${this.stderr}`.replace(/tcgetattr:[^\n]*\n?/g, '').trim();
      if (this.closing) return this.finish('closed', '');
      if (payloadBusy.test(detail)) return this.finish('busy', 'the BMC says another session holds the console (SOL payload already active)');
      if (this.opened) return this.finish('bmc-ended', detail || `ipmitool exit ${code}`);
      this.finish('failed', detail.split('\n').filter(Boolean).pop() ?? `ipmitool exit ${code}`);
    });
  }

  private fromIpmitool(chunk: Buffer): void {
    if (!this.opened) {
      // Bytes before the banner are ipmitool's, not the host's: hold them until it appears.
      this.head += chunk.toString('latin1');
      const m = banner.exec(this.head);
      if (!m) return;
      this.opened = true;
      const rest = Buffer.from(this.head.slice(m[0].length), 'latin1');
      this.head = '';
      this.emit('open');
      if (rest.length) this.emit('data', rest);
      return;
    }
    if (this.closing && chunk.toString('latin1').includes(farewell)) return;
    this.emit('data', chunk);
  }

  write(bytes: Uint8Array): void {
    if (!this.child?.stdin || this.closing || this.ended) return;
    const escaped = escapeSolInput(bytes, this.atLineStart);
    this.atLineStart = escaped.atLineStart;
    this.child.stdin.write(escaped.bytes);
  }

  async close(): Promise<void> {
    if (this.ended || !this.child) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => this.once('end', () => resolve()));
    this.child.stdin?.end(solEndSequence(this.atLineStart));
    const timer = setTimeout(() => this.kill(), solExitWaitMs);
    await exited;
    clearTimeout(timer);
  }

  private kill(): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try { process.kill(-pid, 'SIGKILL'); } catch { this.child?.kill('SIGKILL'); }
  }

  private finish(reason: SolEndReason, detail: string): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end', reason, detail);
  }
}

/** Starts ipmitool's SOL session; the link emits `open` when the payload is active, `end` when it stops. */
export async function openSolLink(target: BmcTarget, opts: SolLinkOptions = {}): Promise<SolLink> {
  const link = new IpmitoolSolLink(target, opts);
  await link.start();
  return link;
}
