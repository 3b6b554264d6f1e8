// Artifact upload (DESIGN.md "Image lifecycle": streamed, sha256 checked, atomic). The body
// streams into the content-addressed store (artifact-store.ts: temp name → fsync → rename);
// only then, in one transaction, the Artifact row and the image's field are written and the
// image's status follows (ready once kernel + initrd, and the rootfs for a ram-mode role, are
// there). A cut or refused upload leaves the image as it was and no file under a final name.
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ImageStatus } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, DomainError, notFound } from '../errors.ts';
import { removeStaleIncoming, writeArtifactFile } from './artifact-store.ts';
import { getImageOrThrow, type ImageWithArtifacts } from './queries.ts';
import type { ArtifactKind } from './schema.ts';

export const defaultMaxArtifactBytes = 16 * 1024 ** 3;

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.FLEETBOOT_DATA_DIR ?? 'data');
}

/** FLEETBOOT_MAX_ARTIFACT_BYTES, else 16 GiB. */
export function maxArtifactBytes(): number {
  const v = Number(process.env.FLEETBOOT_MAX_ARTIFACT_BYTES);
  return Number.isFinite(v) && v > 0 ? v : defaultMaxArtifactBytes;
}

const field = { kernel: 'kernelSha256', initrd: 'initrdSha256', rootfs: 'rootfsSha256' } as const;

/** Statuses a forced re-upload may replace; a trial or active image is in use: never. */
const replaceableWhenForced: readonly ImageStatus[] = ['ready', 'verified', 'failed', 'retired'];

function refuseUnlessUploadable(image: { version: string; status: ImageStatus }, force: boolean): void {
  if (image.status === 'uploading') return;
  if (force && replaceableWhenForced.includes(image.status)) return;
  if (force) throw conflict('status', `image ${image.version} is ${image.status}: its artifacts can't be replaced while it is in use`);
  throw conflict('status', `image ${image.version} is already ${image.status}: upload again with ?force=true to replace its artifacts`);
}

let staleCleaned: Promise<unknown> | null = null;
/** Once per process: temp files of a process that died mid-upload go (also run at start). */
export function cleanStaleUploadsOnce(): Promise<unknown> {
  staleCleaned ??= removeStaleIncoming(dataDir()).catch((err) => console.error('cleaning stale uploads failed', err));
  return staleCleaned;
}

export interface ArtifactUpload {
  imageId: string;
  kind: ArtifactKind;
  body: Readable;
  expectedSha256?: string;
  declaredBytes?: number;
  force: boolean;
}

export async function uploadArtifact(actor: Actor, input: ArtifactUpload): Promise<ImageWithArtifacts> {
  const limit = maxArtifactBytes();
  if (input.declaredBytes !== undefined && input.declaredBytes > limit) {
    throw new DomainError('payload_too_large', `the artifact is larger than the limit of ${limit} bytes (FLEETBOOT_MAX_ARTIFACT_BYTES)`, 'body');
  }
  // Refuse before reading a byte; checked again under the row lock once the file is stored.
  refuseUnlessUploadable(await getImageOrThrow(input.imageId), input.force);
  await cleanStaleUploadsOnce();
  const stored = await writeArtifactFile(dataDir(), input.body, { expectedSha256: input.expectedSha256, expectedBytes: input.declaredBytes, maxBytes: limit });

  await db().$transaction(async (tx) => {
    // Two uploads to one image (kernel and initrd at once) commit one after the other, so the
    // second sees the first's field when it decides whether the image is ready.
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Image" WHERE id = ${input.imageId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound('image');
    const before = await tx.image.findUniqueOrThrow({ where: { id: input.imageId }, include: { role: { select: { rootMode: true } } } });
    refuseUnlessUploadable(before, input.force);
    await tx.artifact.upsert({
      where: { sha256: stored.sha256 },
      create: { sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes), path: stored.path },
      update: { path: stored.path, sizeBytes: BigInt(stored.sizeBytes) },
    });
    const shas = { kernelSha256: before.kernelSha256, initrdSha256: before.initrdSha256, rootfsSha256: before.rootfsSha256, [field[input.kind]]: stored.sha256 };
    const complete = Boolean(shas.kernelSha256 && shas.initrdSha256 && (before.role.rootMode !== 'ram' || shas.rootfsSha256));
    const { role: _role, ...beforeRow } = before;
    const after = await tx.image.update({ where: { id: input.imageId }, data: { [field[input.kind]]: stored.sha256, status: complete ? 'ready' : 'uploading' } });
    await writeAudit(tx, actor, 'upload', 'image', input.imageId, beforeRow, { ...after, artifact: { kind: input.kind, sha256: stored.sha256, sizeBytes: stored.sizeBytes }, forced: input.force || undefined });
  });
  return getImageOrThrow(input.imageId);
}
