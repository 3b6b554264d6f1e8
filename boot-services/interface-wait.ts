// bootd before its boot interfaces are usable: a bridge whose address a network script adds
// later, a link set up after bootd started. Exiting would make the supervisor restart bootd in
// a loop while the console looks healthy; instead bootd waits, says why once in its log and on
// /healthz, and starts serving as soon as the kernel shows the address (DESIGN.md, issue 15).
import { BootInterfaceNotReady } from './config.ts';
import type { KernelInterface } from './boot-interfaces.ts';
import type { BootInterface, Logger } from './bootd-context.ts';

export const interfacePollMs = 1000;

/**
 * Calls `load` until it stops throwing BootInterfaceNotReady (any other error is thrown). Each
 * new reason is logged once and handed to onWaiting; onWaiting(null) when ready.
 */
export async function waitForBootInterfaces<T>(load: () => T, opts: { log: Logger; onWaiting(reason: string | null): void; pollMs?: number; sleep?: (ms: number) => Promise<void> }): Promise<T> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let reported: string | null = null;
  for (;;) {
    try {
      const loaded = load();
      if (reported !== null) opts.log.info('boot interfaces ready', { after: reported });
      opts.onWaiting(null);
      return loaded;
    } catch (err) {
      if (!(err instanceof BootInterfaceNotReady)) throw err;
      if (err.message !== reported) {
        reported = err.message;
        opts.log.warn('waiting for the boot interface; nothing is served until it is ready', { reason: reported });
        opts.onWaiting(reported);
      }
    }
    await sleep(opts.pollMs ?? interfacePollMs);
  }
}

export interface InterfaceHealth {
  name: string;
  address: string;
  /** The address bootd started with is still on the interface. */
  addressPresent: boolean;
  up: boolean;
  carrier: boolean;
  /** Why clients on this interface can't be served right now, or absent. */
  problem?: string;
}

/** What /healthz says about each boot interface, from the kernel's view now. */
export function interfaceHealth(bootInterfaces: readonly BootInterface[], kernel: readonly KernelInterface[]): InterfaceHealth[] {
  return bootInterfaces.map(({ name, address }) => {
    const k = kernel.find((i) => i.name === name);
    const health: InterfaceHealth = { name, address, addressPresent: k?.ipv4.includes(address) ?? false, up: k?.up ?? false, carrier: k?.carrier ?? false };
    if (!k) health.problem = `${name} is gone`;
    else if (!health.up) health.problem = `${name} is down`;
    else if (!health.carrier) health.problem = `${name} has no carrier (no link, or a bridge with no port up): clients on it can't be reached until it comes up`;
    else if (!health.addressPresent) health.problem = `${address} is no longer on ${name}: restart bootd to take the new address`;
    else if (k.ipv6Duplicate?.length) health.problem = `${k.ipv6Duplicate.join(', ')} on ${name} failed duplicate address detection (another machine holds it): IPv6 clients are not served there; remove it or pick another address`;
    return health;
  });
}
