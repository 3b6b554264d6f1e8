// The DHCPv6 lab: the DHCP lab (dhcp-lab.ts: a fresh database, the server namespace with its
// bridge, the real bootd process) with the boot network given an IPv6 prefix (fd77:77::/64),
// bootd's address fd77:77::1 on the bridge, and ISC dhclient -6 run in client namespaces with a
// hook that records what it was given. Everything bounded in time and removed by dispose().
import fs from 'node:fs';
import path from 'node:path';
import { readHookRecords, writeClientHook, type ClientHook } from '../../testing/client-hook.ts';
import type { LabNamespace } from '../../testing/netns-lab.ts';
import { DhcpLab, ids, sleep, type BootdProcess } from '../../dhcp/integration/dhcp-lab.ts';

export const serverAddress6 = 'fd77:77::1';
export const prefix6 = 'fd77:77::/64';
export const pool6 = { start: 'fd77:77::1000', end: 'fd77:77::10ff' };

export interface Dhcp6ClientRun {
  /** Each hook call, in order: reason (PREINIT6, BOUND6, RENEW6, RELEASE6 …) and its variables. */
  records: Array<{ reason: string; env: Record<string, string> }>;
  log: string;
}

export class Dhcp6Lab {
  private constructor(readonly base: DhcpLab) {}

  static async start(): Promise<Dhcp6Lab> {
    const base = await DhcpLab.start();
    try {
      await base.pool.query(`UPDATE "Network" SET "ipv6Prefix" = $2, "ipv6PoolStart" = $3, "ipv6PoolEnd" = $4, "ipv6BootServer" = $5 WHERE id = $1`,
        [ids.lab, prefix6, pool6.start, pool6.end, serverAddress6]);
      // nodad: the address is usable at once (no duplicate address detection wait on a fresh bridge).
      base.server.exec('ip', ['addr', 'add', `${serverAddress6}/64`, 'dev', base.bridge, 'nodad']);
      return new Dhcp6Lab(base);
    } catch (err) {
      await base.dispose();
      throw err;
    }
  }

  /** bootd with DHCPv6 (and DHCPv4) on the bridge. */
  startBootd(extraEnv: Record<string, string> = {}): Promise<BootdProcess> {
    return this.base.startBootd({ FLEETBOOT_SERVICES: 'dhcp,dhcp6', ...extraEnv });
  }

  /** A client namespace on the bridge, link-local address ready (DAD off: the test needn't wait for it). */
  addClient(mac: string): { ns: LabNamespace; iface: string } {
    const c = this.base.addClient(mac);
    c.ns.exec('sysctl', ['-qw', `net.ipv6.conf.${c.iface}.accept_dad=0`]);
    c.ns.exec('ip', ['link', 'set', c.iface, 'down']);
    c.ns.exec('ip', ['link', 'set', c.iface, 'up']);
    return c;
  }

  private hookScript(name: string): ClientHook {
    return writeClientHook(this.base.tmp, name, '(new|old|cur)_[A-Za-z0-9_]+');
  }

  /**
   * Runs `dhclient -6` in the foreground until its hook reports `until` (BOUND6 by default), or
   * until it exits by itself (`until: 'exit'`), or the time runs out, then stops it (SIGTERM: no
   * Release) unless `keep` — then the caller gets the child to signal and reads the records as
   * they come.
   */
  async dhclient6(client: { ns: LabNamespace; iface: string }, opts: { args?: string[]; conf?: string; until?: string; timeoutMs?: number; leaseFile?: string; keep?: boolean } = {}): Promise<Dhcp6ClientRun & { stop(): Promise<void>; read(): Dhcp6ClientRun }> {
    const { script, out } = this.hookScript(`dhclient6-${client.iface}-${Date.now()}`);
    const leaseFile = opts.leaseFile ?? path.join(this.base.tmp, `dhclient6-${client.iface}.leases`);
    const conf = path.join(this.base.tmp, `dhclient6-${client.iface}-${Date.now()}.conf`);
    fs.writeFileSync(conf, opts.conf ?? '');
    const child = client.ns.spawn('timeout', ['60', 'dhclient', '-6', '-d', '-v', '-cf', conf, '-sf', script, '-lf', leaseFile, '-pf', path.join(this.base.tmp, `dhclient6-${client.iface}.pid`), ...(opts.args ?? []), client.iface]);
    let log = '';
    child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    const read = () => parseRecords(out, log);
    const until = opts.until ?? 'BOUND6';
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    while (Date.now() < deadline && !exited() && !(until !== 'exit' && read().records.some((r) => r.reason === until))) await sleep(100);
    const stop = async () => {
      const closed = new Promise<void>((r) => { if (child.exitCode !== null || child.signalCode !== null) r(); else child.once('close', () => r()); });
      child.kill('SIGTERM');
      await Promise.race([closed, sleep(5000)]);
    };
    if (!opts.keep) await stop();
    return { ...read(), stop, read };
  }

  async dispose(): Promise<void> {
    await this.base.dispose();
  }
}

function parseRecords(out: string, log: string): Dhcp6ClientRun {
  return { records: readHookRecords(out).map((r) => ({ reason: r.event, env: r.env })), log };
}
