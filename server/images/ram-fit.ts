// Does a ram root fit its role's hosts? The agent unpacks the root into a tmpfs capped at 90 %
// of RAM (boot-services/image-builder/init.sh, fleetboot.ram_root_size=), and the kernel, the agent
// and the booted system's own processes need room beside it.
import { db } from '../db/client.ts';
import { measureRootfsArtifact } from './rootfs-measure.ts';

/** The tmpfs root's default cap, as a share of the host's RAM (the agent's RAM_ROOT_SIZE). */
export const ramRootShareOfMemory = 0.9;
/** Room for the kernel, the initramfs and the booted system's processes. */
export const ramRootMarginBytes = 256 * 1024 * 1024;

export function memoryNeededForRoot(unpackedBytes: number): number {
  return Math.max(Math.ceil(unpackedBytes / ramRootShareOfMemory), unpackedBytes + ramRootMarginBytes);
}

export interface RamFit {
  needBytes: number;
  /** Hosts whose RAM (from their discovery facts) is less than needed. */
  short: Array<{ hostId: string; hostname: string; memoryBytes: number }>;
  fitting: number;
  /** Hosts with no discovery facts: their RAM is not known. */
  unknown: number;
}

export async function ramFitOfRole(roleId: string, unpackedBytes: number): Promise<RamFit> {
  const needBytes = memoryNeededForRoot(unpackedBytes);
  const hosts = await db().host.findMany({ where: { roleId }, select: { id: true, hostname: true, mac: true }, orderBy: { hostname: 'asc' } });
  const macs = hosts.flatMap((h) => (h.mac ? [h.mac] : []));
  const facts = await db().discoveredMachine.findMany({
    where: { OR: [{ claimedById: { in: hosts.map((h) => h.id) } }, { mac: { in: macs } }] },
    select: { mac: true, claimedById: true, facts: true },
  });
  const hostIdByMac = new Map(hosts.flatMap((h) => (h.mac ? [[h.mac, h.id] as const] : [])));
  const memoryOf = new Map<string, number>();
  for (const f of facts) {
    const kib = (f.facts as { memoryKib?: unknown }).memoryKib;
    const hostId = f.claimedById ?? hostIdByMac.get(f.mac);
    if (typeof kib === 'number' && kib > 0 && hostId) memoryOf.set(hostId, kib * 1024);
  }
  const fit: RamFit = { needBytes, short: [], fitting: 0, unknown: 0 };
  for (const h of hosts) {
    const memoryBytes = memoryOf.get(h.id);
    if (memoryBytes === undefined) fit.unknown++;
    else if (memoryBytes < needBytes) fit.short.push({ hostId: h.id, hostname: h.hostname, memoryBytes });
    else fit.fitting++;
  }
  return fit;
}

/**
 * What the image page shows of a ram-mode image's root: null for other root modes or before a
 * rootfs is uploaded. An artifact not measured yet (a web process died mid-measurement, or it
 * predates measuring) is measured now, in the background.
 */
export async function ramRootOfImage(image: { roleId: string; rootfs: { sha256: string; path: string; sizeBytes: bigint; compression: string | null; unpackedBytes: bigint | null } | null }) {
  const role = await db().role.findUnique({ where: { id: image.roleId }, select: { rootMode: true } });
  if (role?.rootMode !== 'ram' || !image.rootfs) return null;
  const { rootfs } = image;
  if (rootfs.compression === null) void measureRootfsArtifact(rootfs);
  const unpackedBytes = rootfs.unpackedBytes === null ? null : Number(rootfs.unpackedBytes);
  const fit = unpackedBytes === null ? null : await ramFitOfRole(image.roleId, unpackedBytes);
  return {
    compressedBytes: Number(rootfs.sizeBytes), compression: rootfs.compression, unpackedBytes,
    needBytes: fit?.needBytes ?? null, short: fit?.short ?? [], fitting: fit?.fitting ?? 0, unknown: fit?.unknown ?? 0,
  };
}
