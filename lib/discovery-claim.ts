// The claim of a discovered machine by a registered host (DESIGN.md "Identity"): the host takes
// the machine's MAC. One rule, whoever claims: an operator in the console
// (server/discovery/queries.ts) or bootd matching the machine's serial or asset tag to a host
// registered without a MAC (boot-services/store/discovery.ts). Both write an audit row.

/** Firmware fills unset DMI strings with these; matching on them would claim the wrong host. */
const placeholderIds = new Set(['', '0', '00000000', '0123456789', 'none', 'default string', 'not specified', 'not applicable',
  'to be filled by o.e.m.', 'system serial number', 'chassis serial number', 'serial number', 'n/a', 'na']);

/** A serial or asset tag as reported, trimmed; null when it is absent or a firmware placeholder. */
export function usableIdentifier(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  return placeholderIds.has(v.toLowerCase()) ? null : v;
}

export interface ClaimParties {
  /** The discovered machine and the host that claimed it before, if any. */
  machine: { mac: string; claimedById: string | null };
  host: { id: string; hostname: string; mac: string | null };
  /** The host holding the machine's MAC now, if any. */
  holder: { id: string; hostname: string } | null;
}

export interface ClaimRefusal {
  field: 'mac' | 'hostId';
  message: string;
}

/** Why `host` may not take the machine's MAC, or null when it may. */
export function claimRefusal({ machine, host, holder }: ClaimParties): ClaimRefusal | null {
  if (machine.claimedById && machine.claimedById !== host.id) return { field: 'mac', message: `${machine.mac} is already claimed by another host` };
  if (host.mac && host.mac !== machine.mac) return { field: 'hostId', message: `${host.hostname} already has the MAC ${host.mac}` };
  if (holder && holder.id !== host.id) return { field: 'mac', message: `${machine.mac} already belongs to ${holder.hostname}` };
  return null;
}

/** The machine's own serial and asset tag fill the host's empty ones: the next match is automatic. */
export function identityAfterClaim(host: { serial: string | null; assetTag: string | null }, facts: unknown): { serial: string | null; assetTag: string | null } {
  return { serial: host.serial ?? factIdentifier(facts, 'serial'), assetTag: host.assetTag ?? factIdentifier(facts, 'assetTag') };
}

/** The machine's reported serial or asset tag, when usable. */
function factIdentifier(facts: unknown, key: 'serial' | 'assetTag'): string | null {
  return usableIdentifier(facts && typeof facts === 'object' ? (facts as Record<string, unknown>)[key] : undefined);
}

/** How a host waiting for hardware matches a machine's reported facts: by serial, by asset tag, or not (null). */
export function claimMatch(host: { serial: string | null; assetTag: string | null }, facts: unknown): 'serial' | 'assetTag' | null {
  const serial = factIdentifier(facts, 'serial');
  const assetTag = factIdentifier(facts, 'assetTag');
  if (serial && usableIdentifier(host.serial) === serial) return 'serial';
  if (assetTag && usableIdentifier(host.assetTag) === assetTag) return 'assetTag';
  return null;
}
