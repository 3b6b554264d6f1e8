// What the boot agent may send bootd (boot-api.ts), validated once at the edge. Everything
// arrives from the network: sizes are bounded and unknown phases refused.
import { z } from 'zod';

const mac = z.string().regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, 'expected aa:bb:cc:dd:ee:ff').transform((m) => m.toLowerCase());
const text = (max: number) => z.string().max(max);

/** The agent's phases, in boot order (init.sh says when each is sent). */
export const agentPhases = [
  'network-up', 'identity', 'discovery-wait', 'claimed', 'rootfs-download', 'rootfs-unpack', 'rootfs-verified',
  'root-mounted', 'switch-root', 'failed', 'rescue',
] as const;
export type AgentPhase = (typeof agentPhases)[number];

export const progressBody = z.object({
  mac,
  phase: z.enum(agentPhases),
  bytesDone: z.number().int().min(0).max(2 ** 50).optional(),
  bytesTotal: z.number().int().min(0).max(2 ** 50).optional(),
  reason: text(500).optional(),
  host: text(253).optional(),
  /** rootfs-unpack: memory in use before the ram root's pipe started and at its peak (MemTotal − MemAvailable). */
  memoryBeforeBytes: z.number().int().min(0).max(2 ** 50).optional(),
  memoryPeakBytes: z.number().int().min(0).max(2 ** 50).optional(),
});

/** The up hook's health checks (report-up): which one failed, its command, exit status and last output. */
const upHealth = z.object({
  ok: z.boolean(),
  check: z.enum(['image', 'role']).optional(),
  command: text(1000).optional(),
  exitStatus: z.number().int().min(0).max(255).optional(),
  output: text(2000).optional(),
});
export type UpHealth = z.infer<typeof upHealth>;

export const upBody = z.object({
  mac,
  /** The agent's fleetboot.host=, when it had one (boot-api.ts: identity by name). */
  host: text(253).optional(),
  health: upHealth.optional(),
});

const disk = z.object({ name: text(64), bytes: z.number().int().min(0), model: text(128).optional() });
const nic = z.object({ name: text(64), mac: text(32), driver: text(64).optional() });

export const discoveryFacts = z.object({
  serial: text(128).optional(),
  assetTag: text(128).optional(),
  product: text(128).optional(),
  vendor: text(128).optional(),
  uuid: text(64).optional(),
  cpus: z.number().int().min(0).max(100_000),
  cpuModel: text(200).optional(),
  memoryKib: z.number().int().min(0),
  disks: z.array(disk).max(256),
  nics: z.array(nic).max(64),
});
export type DiscoveryFacts = z.infer<typeof discoveryFacts>;

export const discoveryBody = z.object({ mac, facts: discoveryFacts });

export const identityQuery = z.object({ mac, host: text(253).optional(), format: z.enum(['json', 'env']).optional() });
