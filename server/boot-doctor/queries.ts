// The boot doctor in the console: the database read into the same view bootd holds
// (lib/boot/view-index.ts, as boot-services/config-cache.ts fills it), then asked of
// lib/boot/host-doctor.ts, which asks bootd's own boot functions. One host (its page,
// GET /api/v1/hosts/{id}/doctor) or the whole fleet (the dashboard, GET /api/v1/doctor).
import type { Prisma } from '@prisma/client';
import type { ArtifactView, HostView } from '../../lib/boot/boot-view.ts';
import { bootHttpBaseUrl, defaultBootHttpPort } from '../../lib/boot/boot-paths.ts';
import { diagnoseHost, summarizeFleet, type BootServerState, type DoctorContext, type FleetDoctorSummary, type HostDiagnosis } from '../../lib/boot/host-doctor.ts';
import { ViewIndex } from '../../lib/boot/view-index.ts';
import type { ImageFacts } from '../../lib/boot/image-needs.ts';
import { listBootServers } from '../boot-servers/queries.ts';
import { db } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { imageFactsOf } from '../images/image-facts.ts';

const hostFields = {
  id: true, hostname: true, mac: true, ip: true, ipv6: true, networkId: true, roleId: true, spare: true,
  bootEnabled: true, imageOverrideId: true, bootOverride: true, state: true,
} satisfies Prisma.HostSelect;

const artifactFields = { select: { sha256: true, sizeBytes: true, path: true, unpackedBytes: true } } as const;

function artifact(a: { sha256: string; sizeBytes: bigint; path: string } | null): ArtifactView | null {
  return a ? { sha256: a.sha256, sizeBytes: Number(a.sizeBytes), path: a.path } : null;
}

/**
 * The bootd the console runs beside, as bootd's own configuration names it (boot-services/config.ts
 * reads the same variables; the supervisor gives both processes one environment). A bootd that
 * finds its address from FLEETBOOT_BOOT_INTERFACE alone is seen here as 127.0.0.1: networks that
 * name their boot server's address are judged by that address instead.
 */
export function consoleBootServer(env: Record<string, string | undefined> = process.env): DoctorContext['bootServer'] {
  const serverAddress = env.FLEETBOOT_BOOTD_ADDRESS || '127.0.0.1';
  const httpPort = Number(env.FLEETBOOT_BOOT_HTTP_PORT) || defaultBootHttpPort;
  return { serverAddress, httpBaseUrl: bootHttpBaseUrl(env.FLEETBOOT_BOOT_HTTP_URL, serverAddress, httpPort) };
}

/** Networks, roles and images, and the hosts `where` selects, as bootd's view holds them. */
async function loadBootView(where: Prisma.HostWhereInput): Promise<{ view: ViewIndex; hosts: HostView[]; imageFacts: Map<string, ImageFacts>; hostMemoryBytes: Map<string, number> }> {
  const [networks, roles, images, hosts] = await db().$transaction([
    db().network.findMany({
      include: { bootServerRecord: { select: { name: true } }, peerBootServerRecord: { select: { name: true } } },
    }),
    db().role.findMany(),
    db().image.findMany({ include: { kernel: artifactFields, initrd: artifactFields, rootfs: artifactFields } }),
    db().host.findMany({ where, select: hostFields, orderBy: { hostname: 'asc' } }),
  ]);
  const view = new ViewIndex();
  for (const { bootServerRecord, peerBootServerRecord, ...n } of networks) {
    view.putNetwork({
      id: n.id, name: n.name, cidr: n.cidr, gateway: n.gateway, dnsServers: n.dnsServers, domain: n.domain, bootServer: n.bootServer,
      poolStart: n.poolStart, poolEnd: n.poolEnd, leaseSeconds: n.leaseSeconds, relayAddresses: n.relayAddresses, discoveryEnabled: n.discoveryEnabled,
      ipv6Prefix: n.ipv6Prefix, ipv6PoolStart: n.ipv6PoolStart, ipv6PoolEnd: n.ipv6PoolEnd, ipv6BootServer: n.ipv6BootServer,
      servedBy: [bootServerRecord?.name, peerBootServerRecord?.name].filter((x): x is string => !!x).sort(),
    });
  }
  for (const r of roles) {
    view.putRole({
      id: r.id, name: r.name, rootMode: r.rootMode, bootLoader: r.bootLoader, uefiBootChain: r.uefiBootChain, cmdlineTemplate: r.cmdlineTemplate,
      nfsExport: r.nfsExport, diskRoot: r.diskRoot, healthCheck: r.healthCheck, activeImageId: r.activeImageId, stallSeconds: r.stallSeconds,
    });
  }
  for (const i of images) {
    view.putImage({ id: i.id, roleId: i.roleId, version: i.version, status: i.status, kernel: artifact(i.kernel), initrd: artifact(i.initrd), rootfs: artifact(i.rootfs) });
  }
  hosts.forEach((h) => view.putHost(h));
  // What the image page says each image needs, for the images these hosts boot (active or override).
  const booted = new Set([...roles.map((r) => r.activeImageId), ...hosts.map((h) => h.imageOverrideId)].filter((id): id is string => id !== null));
  const roleById = new Map(roles.map((r) => [r.id, r]));
  const imageFacts = new Map<string, ImageFacts>(
    await Promise.all(images.filter((i) => booted.has(i.id)).map(async (i) => {
      const role = roleById.get(i.roleId);
      return [i.id, role ? await imageFactsOf(i, role, { signature: role.uefiBootChain === 'secure_boot' }) : {}] as const;
    })),
  );
  return { view, hosts, imageFacts, hostMemoryBytes: await hostMemory(hosts) };
}

/** Hosts' RAM as their discovery reported it (claimed by them, or from their MAC). */
async function hostMemory(hosts: ReadonlyArray<{ id: string; mac: string | null }>): Promise<Map<string, number>> {
  const byMac = new Map(hosts.flatMap((h) => (h.mac ? [[h.mac, h.id] as const] : [])));
  const rows = await db().discoveredMachine.findMany({
    where: { OR: [{ claimedById: { in: hosts.map((h) => h.id) } }, { mac: { in: [...byMac.keys()] } }] },
    select: { mac: true, claimedById: true, facts: true },
  });
  const memory = new Map<string, number>();
  for (const r of rows) {
    const kib = (r.facts as { memoryKib?: unknown } | null)?.memoryKib;
    const hostId = r.claimedById ?? byMac.get(r.mac);
    if (typeof kib === 'number' && kib > 0 && hostId) memory.set(hostId, kib * 1024);
  }
  return memory;
}

async function doctorContext(loaded: { view: ViewIndex; imageFacts: Map<string, ImageFacts>; hostMemoryBytes: Map<string, number> }): Promise<DoctorContext> {
  const servers = await listBootServers();
  const bootServerStates = new Map<string, Exclude<BootServerState, 'unregistered'>>(servers.map((s) => [s.name, s.health.state]));
  return { view: loaded.view, bootServer: consoleBootServer(), bootServerStates, imageFacts: loaded.imageFacts, hostMemoryBytes: loaded.hostMemoryBytes };
}

export async function diagnoseHostById(id: string): Promise<HostDiagnosis> {
  const loaded = await loadBootView({ id });
  const host = loaded.hosts[0];
  if (!host) throw notFound('host');
  return diagnoseHost(await doctorContext(loaded), host);
}

/**
 * The last fleet summary and the change-log position it was computed at: every write to hosts,
 * roles, images and networks adds a "Change" row (bootd follows the same log), so the summary
 * stands until the log moves, or until boot servers' heartbeats may have changed their state.
 * 10,000 hosts take ~0.5 s to judge; the dashboard refreshes every few seconds.
 */
let lastFleet: { seq: bigint; atMs: number; summary: FleetDoctorSummary } | null = null;
const fleetSummaryMaxAgeMs = 10_000;

/** Every host, judged; the ones that can't boot grouped by cause, most first. */
export async function diagnoseFleet(nowMs = Date.now()): Promise<FleetDoctorSummary> {
  const seq = (await db().change.aggregate({ _max: { seq: true } }))._max.seq ?? 0n;
  if (lastFleet && lastFleet.seq === seq && nowMs - lastFleet.atMs < fleetSummaryMaxAgeMs) return lastFleet.summary;
  const loaded = await loadBootView({});
  const ctx = { ...(await doctorContext(loaded)), verdictOnly: true };
  const summary = summarizeFleet(loaded.hosts.map((h) => diagnoseHost(ctx, h)));
  lastFleet = { seq, atMs: nowMs, summary };
  return summary;
}
