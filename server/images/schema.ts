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

const sha256Hex = z.string().trim().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits');

/**
 * PUT or POST /images/{id}/artifacts/{kind}: the checksum may come as ?sha256= or
 * X-Checksum-Sha256 (or, in a form, as the sha256 field); force likewise.
 */
export const artifactUploadQuery = z.object({
  sha256: sha256Hex.optional(),
  force: z.enum(['true', 'false', '1', '0']).optional(),
});
export const artifactKindParam = z.enum(artifactKinds);

/** POST /images/{id}/artifacts/{kind}/uploads: a resumable upload of a file of sizeBytes. */
export const uploadSessionCreate = z
  .object({
    sizeBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    sha256: sha256Hex.optional(),
    force: z.boolean().optional(),
  })
  .strict();

/** PATCH /uploads/{id}: the headers of one chunk (tus's Upload-Offset). */
export const uploadChunkHeaders = z.object({
  'upload-offset': z.string({ error: 'is required: the byte this chunk starts at (GET the upload for it)' }).regex(/^\d+$/, 'must be a byte offset').transform(Number),
  'x-checksum-sha256': sha256Hex.optional(),
});
