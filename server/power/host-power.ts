// Power actions on hosts through their BMCs: credentials decrypted only here, every action
// that changes a machine audited (whether the BMC took it or not), BMC failures mapped to
// errors an operator can act on (502 refused / wrong password, 504 no answer).
import type { Host } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, DomainError, invalid, notFound } from '../errors.ts';
import { decryptSecret } from '../secrets/encryption.ts';
import { chassisBootdevPxeOnce, chassisPower, chassisPowerStatus, IpmiError, pxeBootNow, type BmcTarget, type IpmiOptions, type PowerState } from './ipmi.ts';
import type { PowerAction } from './schema.ts';

export interface PowerResult {
  hostId: string;
  hostname: string;
  action: PowerAction;
  ok: boolean;
  /** the chassis power after a status query */
  power?: PowerState;
  /** what a pxe-boot did: cycled a running machine or powered on an off one */
  done?: string;
  error?: string;
  errorKind?: string;
}

/** IPMI timing from the environment (tests shorten it): FLEETBOOT_IPMI_TIMEOUT_MS. */
export function ipmiOptions(): IpmiOptions {
  const ms = Number(process.env.FLEETBOOT_IPMI_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? { timeoutMs: ms } : {};
}

type BmcFields = Pick<Host, 'hostname' | 'bmcAddress' | 'bmcUser' | 'bmcPasswordEnc'>;

export function hasBmc(h: BmcFields): boolean {
  return Boolean(h.bmcAddress && h.bmcUser && h.bmcPasswordEnc);
}

/** The BMC of a host, or null when it has none (address, user and password all needed). */
export function findBmcTarget(h: BmcFields): BmcTarget | null {
  if (!hasBmc(h)) return null;
  return { address: h.bmcAddress!, user: h.bmcUser!, password: decryptSecret(h.bmcPasswordEnc!) };
}

/** Runs one action against a target; BMC failures come back as IpmiError. */
export async function runPowerAction(target: BmcTarget, action: PowerAction, opts: IpmiOptions = ipmiOptions()): Promise<{ power?: PowerState; done?: string }> {
  switch (action) {
    case 'status':
      return { power: await chassisPowerStatus(target, opts) };
    case 'pxe':
      await chassisBootdevPxeOnce(target, opts);
      return { done: 'next boot from PXE' };
    case 'pxe-boot':
      return { done: await pxeBootNow(target, opts) };
    default:
      await chassisPower(target, action, opts);
      return { done: action };
  }
}

export function ipmiErrorToDomain(err: IpmiError): DomainError {
  return new DomainError(err.kind === 'timeout' || err.kind === 'unreachable' ? 'gateway_timeout' : 'bad_gateway', err.message, 'bmc', { kind: err.kind });
}

async function runAndAudit(actor: Actor, host: Host, action: PowerAction): Promise<PowerResult> {
  const target = findBmcTarget(host);
  if (!target) throw conflict('bmcAddress', `${host.hostname} has no BMC (address, user and password are all needed): reboot it by hand`);
  const base = { hostId: host.id, hostname: host.hostname, action };
  let result: PowerResult;
  try {
    result = { ...base, ok: true, ...(await runPowerAction(target, action)) };
  } catch (err) {
    if (!(err instanceof IpmiError)) throw err;
    result = { ...base, ok: false, error: err.message, errorKind: err.kind };
  }
  if (action !== 'status') {
    await db().$transaction((tx) => writeAudit(tx, actor, 'power', 'host', host.id, null, { action, ok: result.ok, ...(result.done ? { done: result.done } : {}), ...(result.error ? { error: result.error } : {}) }));
  }
  return result;
}

export async function powerHost(actor: Actor, hostId: string, action: PowerAction): Promise<PowerResult> {
  const host = await db().host.findUnique({ where: { id: hostId } });
  if (!host) throw notFound('host');
  const result = await runAndAudit(actor, host, action);
  if (!result.ok) throw new DomainError(result.errorKind === 'timeout' || result.errorKind === 'unreachable' ? 'gateway_timeout' : 'bad_gateway', result.error!, 'bmc', { kind: result.errorKind });
  return result;
}

const statusCallsAtOnce = 10;

/**
 * The power state of many hosts, answered at once (status changes nothing, so it is neither
 * queued nor audited), at most statusCallsAtOnce BMC calls at a time. Every other bulk action
 * goes through the queue (bulk-queue.ts).
 */
export async function powerStatusOfHosts(actor: Actor, hostIds: string[]): Promise<{ results: PowerResult[] }> {
  const ids = [...new Set(hostIds)];
  const hosts = await db().host.findMany({ where: { id: { in: ids } } });
  const missing = ids.filter((id) => !hosts.some((h) => h.id === id));
  if (missing.length) throw invalid('hostIds', `no such host: ${missing[0]}`);
  const noBmc = hosts.filter((h) => !hasBmc(h));
  if (noBmc.length) throw conflict('hostIds', `${noBmc.map((h) => h.hostname).slice(0, 5).join(', ')} ha${noBmc.length > 1 ? 've' : 's'} no BMC`);
  const results: PowerResult[] = new Array(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      results[i] = await runAndAudit(actor, hosts[i]!, 'status');
    }
  };
  await Promise.all(Array.from({ length: Math.min(statusCallsAtOnce, hosts.length) }, worker));
  return { results };
}
