// Rebooting one host for the lifecycle: through its BMC (PXE once, then cycle or on), or, with
// no BMC or a BMC that failed, by asking the operator to do it by hand. Either way the caller
// records the moment from which a boot counts.
import type { Host } from '@prisma/client';
import { IpmiError } from '../power/ipmi.ts';
import { findBmcTarget, runPowerAction } from '../power/host-power.ts';

export type BootRequest = { method: 'ipmi'; done: string } | { method: 'manual'; reason: string };

export type HostRebooter = (host: Pick<Host, 'hostname' | 'bmcAddress' | 'bmcUser' | 'bmcPasswordEnc'>) => Promise<BootRequest>;

export const rebootThroughBmc: HostRebooter = async (host) => {
  const target = findBmcTarget(host);
  if (!target) return { method: 'manual', reason: `${host.hostname} has no BMC: reboot it by hand` };
  try {
    const r = await runPowerAction(target, 'pxe-boot');
    return { method: 'ipmi', done: r.done ?? 'pxe-boot' };
  } catch (err) {
    if (!(err instanceof IpmiError)) throw err;
    return { method: 'manual', reason: `the BMC failed (${err.message}): reboot ${host.hostname} by hand` };
  }
};
