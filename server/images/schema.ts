// Image metadata through the API (the upload of artifacts is the image lifecycle's job).
import { z } from 'zod';
import { uuid } from '../validation/fields.ts';

export const imageStatuses = ['uploading', 'ready', 'trial', 'verified', 'active', 'retired', 'failed'] as const;

export const imageCreate = z
  .object({
    roleId: uuid,
    version: z.string().trim().min(1, 'is required').max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be letters, digits and . _ + -'),
    notes: z.string().max(4000).optional(),
  })
  .strict();

export const imageUpdate = z
  .object({
    notes: z.string().max(4000).optional(),
    status: z.enum(['ready', 'retired']).optional(),
  })
  .strict();

export const imageListQuery = z.object({
  roleId: uuid.optional(),
  status: z.enum(imageStatuses).optional(),
  sort: z.enum(['createdAt', 'version']).default('createdAt'),
});

export type ImageCreate = z.infer<typeof imageCreate>;
export type ImageUpdate = z.infer<typeof imageUpdate>;

export const artifactKinds = ['kernel', 'initrd', 'rootfs'] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

/** PUT /images/{id}/artifacts/{kind}: the checksum may come as ?sha256= or X-Checksum-Sha256. */
export const artifactUploadQuery = z.object({
  sha256: z.string().trim().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits').optional(),
  force: z.enum(['true', 'false', '1', '0']).optional(),
});
export const artifactKindParam = z.enum(artifactKinds);
