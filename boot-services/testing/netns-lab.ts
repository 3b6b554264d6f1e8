// Test labs made of network namespaces (DESIGN.md tests; DEVELOPERS.md "Standards"):
// every address used lives inside namespaces the test creates, and dispose() removes
// them even when the test failed. Requires root; `labSkipReason()` says why a lab can't run.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export function labSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'network namespace labs need root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return '`ip netns` is not available';
  }
  return null;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface LabNamespace {
  name: string;
  /** Runs a command inside the namespace and returns its stdout. */
  exec(cmd: string, args: string[], opts?: { timeoutMs?: number; input?: string }): string;
  /** Starts a long-running process inside the namespace. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
}

export class NetnsLab {
  readonly id = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  private attached = 0;

  /** A namespace with loopback up. Names are short: interface names are limited to 15 bytes. */
  addNamespace(label: string): LabNamespace {
    const name = `fb${label}${this.id}`;
    ip(['netns', 'add', name]);
    this.namespaces.push(name);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    const children = this.children;
    return {
      name,
      exec(cmd, args, opts = {}) {
        return execFileSync('ip', ['netns', 'exec', name, cmd, ...args], {
          encoding: 'utf8',
          timeout: opts.timeoutMs ?? 30_000,
          input: opts.input,
          stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        });
      },
      spawn(cmd, args, opts = {}) {
        const child = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: 'pipe', ...opts });
        children.push(child);
        return child;
      },
    };
  }

  /** A veth pair between two namespaces, with optional CIDR addresses on each end. */
  link(a: LabNamespace, aAddr: string | null, b: LabNamespace, bAddr: string | null, mtu?: number): { aIf: string; bIf: string } {
    const n = this.namespaces.length + this.children.length + Math.floor(Math.random() * 1000);
    const aIf = `va${this.id}${n % 100}`.slice(0, 15);
    const bIf = `vb${this.id}${n % 100}`.slice(0, 15);
    ip(['link', 'add', aIf, 'netns', a.name, 'type', 'veth', 'peer', 'name', bIf, 'netns', b.name]);
    for (const [ns, ifName, addr] of [[a, aIf, aAddr], [b, bIf, bAddr]] as const) {
      if (mtu) ip(['-n', ns.name, 'link', 'set', ifName, 'mtu', String(mtu)]);
      if (addr) ip(['-n', ns.name, 'addr', 'add', addr, 'dev', ifName]);
      ip(['-n', ns.name, 'link', 'set', ifName, 'up']);
    }
    return { aIf, bIf };
  }

  /** A bridge inside `ns` (for many clients or QEMU taps on one segment). */
  addBridge(ns: LabNamespace, label: string, addr: string | null): string {
    const br = `br${label}${this.id}`.slice(0, 15);
    ip(['-n', ns.name, 'link', 'add', br, 'type', 'bridge']);
    if (addr) ip(['-n', ns.name, 'addr', 'add', addr, 'dev', br]);
    ip(['-n', ns.name, 'link', 'set', br, 'up']);
    return br;
  }

  /** A tap device in `ns` enslaved to `bridge`, for a QEMU `-netdev tap,ifname=…` started inside `ns`. */
  addTap(ns: LabNamespace, bridge: string, label: string): string {
    const tap = `tp${label}${this.id}`.slice(0, 15);
    ip(['-n', ns.name, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    ip(['-n', ns.name, 'link', 'set', tap, 'master', bridge]);
    ip(['-n', ns.name, 'link', 'set', tap, 'up']);
    return tap;
  }

  /** A veth from `client` into `bridge` in `hub`; returns the client-side interface name. */
  attachToBridge(hub: LabNamespace, bridge: string, client: LabNamespace, clientAddr: string | null, mac?: string): string {
    // Counted, not random: 40 random numbers below 10,000 collide about once in 12 labs
    // ("RTNETLINK answers: File exists" in a 40-client storm). The lab's id keeps labs apart.
    const n = this.attached++;
    const hubIf = `h${this.id}${n}`.slice(0, 15);
    const cliIf = `c${this.id}${n}`.slice(0, 15);
    ip(['link', 'add', hubIf, 'netns', hub.name, 'type', 'veth', 'peer', 'name', cliIf, 'netns', client.name]);
    ip(['-n', hub.name, 'link', 'set', hubIf, 'master', bridge]);
    ip(['-n', hub.name, 'link', 'set', hubIf, 'up']);
    if (mac) ip(['-n', client.name, 'link', 'set', cliIf, 'address', mac]);
    if (clientAddr) ip(['-n', client.name, 'addr', 'add', clientAddr, 'dev', cliIf]);
    ip(['-n', client.name, 'link', 'set', cliIf, 'up']);
    return cliIf;
  }

  /** Kills every process started through the lab and deletes its namespaces. */
  async dispose(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 50));
    for (const name of this.namespaces.reverse()) {
      // Processes started by other means inside the namespace must not survive it.
      try {
        const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).split('\n').filter(Boolean);
        for (const pid of pids) {
          try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
        }
      } catch { /* namespace already gone */ }
      try { ip(['netns', 'del', name]); } catch { /* already gone */ }
    }
    this.namespaces.length = 0;
  }
}
