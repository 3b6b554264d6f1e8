// A role: what its hosts boot and how (root mode, bootloader, kernel command line), and the
// rollout policy of its images.
import { z } from 'zod';
import { optionalNullable, slug, uuid } from '../validation/fields.ts';

/** Variables a kernel command line template may use; rendered per host by bootd. */
export const cmdlineVariables = [
  'hostname', 'ip', 'mac', 'role', 'rootMode', 'kernelUrl', 'initrdUrl', 'rootfsUrl', 'rootfsSha256',
  'bootdUrl', 'hostId', 'nfsExport', 'diskRoot',
] as const;

const cmdlineTemplate = z
  .string()
  .max(4096)
  .refine((t) => [...t.matchAll(/\{([^}]*)\}/g)].every((m) => (cmdlineVariables as readonly string[]).includes(m[1]!)), {
    message: `uses an unknown {variable}; known: ${cmdlineVariables.join(', ')}`,
  });

const roleFields = {
  name: slug,
  description: z.string().max(2000).optional(),
  rootMode: z.enum(['ram', 'nfs', 'disk']).optional(),
  bootLoader: z.enum(['pxelinux', 'ipxe']).optional(),
  /** UEFI hosts: iPXE (ipxe.efi, Secure Boot off) or secure_boot (shim → signed GRUB → a signed kernel). */
  uefiBootChain: z.enum(['ipxe', 'secure_boot']).optional(),
  cmdlineTemplate: cmdlineTemplate.optional(),
  nfsExport: optionalNullable(z.string().trim().regex(/^[^\s:]+:\/\S*$/, 'must be server:/path')),
  diskRoot: optionalNullable(z.string().trim().regex(/^(LABEL|UUID|PARTUUID|PARTLABEL)=\S+$/, 'must be LABEL=…, UUID=…, PARTUUID=… or PARTLABEL=…')),
  healthCheck: optionalNullable(z.string().trim().max(2000)),
  activeImageId: optionalNullable(uuid),
  rolloutBatchSize: z.coerce.number().int().min(1).max(10_000).optional(),
  rolloutMaxConcurrent: z.coerce.number().int().min(1).max(100_000).optional(),
  stallSeconds: z.coerce.number().int().min(30).max(86_400).optional(),
};

type RoleShape = { rootMode?: string; nfsExport?: string | null; diskRoot?: string | null };

export function checkRootMode(r: RoleShape, ctx: z.RefinementCtx): void {
  if (r.rootMode === 'nfs' && !r.nfsExport) ctx.addIssue({ code: 'custom', path: ['nfsExport'], message: 'is required for the nfs root mode' });
  if (r.rootMode === 'disk' && !r.diskRoot) ctx.addIssue({ code: 'custom', path: ['diskRoot'], message: 'is required for the disk root mode' });
}

export const roleCreate = z.object(roleFields).strict().superRefine(checkRootMode);
export const roleUpdate = z.object({
  ...roleFields,
  /** An admin sets a ready image active without the health gate (audited as force-activate). */
  forceActivate: z.boolean(),
}).partial().strict();
export type RoleCreate = z.infer<typeof roleCreate>;
export type RoleUpdate = z.infer<typeof roleUpdate>;

export const roleListQuery = z.object({
  q: z.string().max(100).optional(),
  sort: z.enum(['name', 'createdAt']).default('name'),
});
