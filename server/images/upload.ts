// Artifact upload (DESIGN.md "Image lifecycle": streamed, sha256 checked, atomic). The body
// streams into the content-addressed store (artifact-store.ts: temp name → fsync → rename);
// only then, in one transaction, the Artifact row and the image's field are written and the
// image's status follows (ready once kernel + initrd, and the rootfs for a ram-mode role, are
// there). A cut or refused upload leaves the image as it was and no file under a final name.
import type { ImageStatus } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, DomainError, invalid, notFound } from '../errors.ts';
import { measureRootfsArtifact } from './rootfs-measure.ts';
import { checkSha256, dataDir, discardIncoming, lockArtifactStoreShared, publishArtifactFile, receiveArtifactFile, refuseWithoutRoom, removeStaleIncoming, type IncomingArtifact, type StoredArtifact } from './artifact-store.ts';
import { removeUnusedArtifactsSoon } from './unused-artifacts.ts';
import { getImageOrThrow, type ImageWithArtifacts } from './queries.ts';
import { artifactUploadQuery, type ArtifactKind } from './schema.ts';

export const defaultMaxArtifactBytes = 16 * 1024 ** 3;


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
/**
 * Once per process (at start, from instrumentation.ts, and before the first upload): temp files
 * of a process that died mid-upload go. (Expired resumable upload sessions are upload-sessions.ts's:
 * instrumentation.ts starts their sweeper.)
 */
export function cleanStaleUploadsOnce(): Promise<unknown> {
  staleCleaned ??= removeStaleIncoming(dataDir()).catch((err) => console.error('cleaning stale uploads failed', err));
  return staleCleaned;
}

/** Where a received file goes: one artifact of one image. */
export interface ArtifactTarget {
  imageId: string;
  kind: ArtifactKind;
  force: boolean;
}

/** Refuses before a byte is read (checked again under the row lock once the file is stored). */
export async function refuseUnlessTargetUploadable(target: ArtifactTarget): Promise<void> {
  refuseUnlessUploadable(await getImageOrThrow(target.imageId), target.force);
}

/** Refuses a declared size before a byte is read: over the limit (413), or more than the store's disk has room for (507). */
export async function refuseUnstorable(declaredBytes: number | undefined, limit = maxArtifactBytes()): Promise<void> {
  if (declaredBytes === undefined) return;
  if (declaredBytes > limit) {
    throw new DomainError('payload_too_large', `the artifact is larger than the limit of ${limit} bytes (FLEETBOOT_MAX_ARTIFACT_BYTES)`, 'body');
  }
  await refuseWithoutRoom(dataDir(), declaredBytes);
}

/**
 * The one way a received file becomes an image's artifact, whatever brought it (raw PUT, form,
 * resumable session): checksum checked, then in one transaction under the artifact store's
 * lock the file published under its sha256, the Artifact row, the image's field, its status and
 * the audit entry. A refused file is deleted; a file it replaced that no image uses goes too.
 */
export async function publishReceivedArtifact(actor: Actor, target: ArtifactTarget, incoming: IncomingArtifact, expectedSha256: string | undefined, how: Record<string, unknown> = {}): Promise<ImageWithArtifacts> {
  try {
    checkSha256(incoming.sha256, expectedSha256);
  } catch (err) {
    await discardIncoming(incoming);
    throw err;
  }
  let replaced = false;
  const stored = await db().$transaction(async (tx) => {
    // Two uploads to one image (kernel and initrd at once) commit one after the other, so the
    // second sees the first's field when it decides whether the image is ready.
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Image" WHERE id = ${target.imageId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound('image');
    const before = await tx.image.findUniqueOrThrow({ where: { id: target.imageId }, include: { role: { select: { rootMode: true } } } });
    refuseUnlessUploadable(before, target.force);
    // Published and linked under the store's lock (unused-artifacts.ts): the removal of unused
    // files never takes this file between its publish and this commit.
    await lockArtifactStoreShared(tx);
    const stored: StoredArtifact = await publishArtifactFile(dataDir(), incoming);
    await tx.artifact.upsert({
      where: { sha256: stored.sha256 },
      create: { sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes), path: stored.path },
      update: { path: stored.path, sizeBytes: BigInt(stored.sizeBytes) },
    });
    const shas = { kernelSha256: before.kernelSha256, initrdSha256: before.initrdSha256, rootfsSha256: before.rootfsSha256, [field[target.kind]]: stored.sha256 };
    const complete = Boolean(shas.kernelSha256 && shas.initrdSha256 && (before.role.rootMode !== 'ram' || shas.rootfsSha256));
    const { role: _role, ...beforeRow } = before;
    const after = await tx.image.update({ where: { id: target.imageId }, data: { [field[target.kind]]: stored.sha256, status: complete ? 'ready' : 'uploading' } });
    await writeAudit(tx, actor, 'upload', 'image', target.imageId, beforeRow, { ...after, artifact: { kind: target.kind, sha256: stored.sha256, sizeBytes: stored.sizeBytes }, forced: target.force || undefined, ...how });
    replaced = before[field[target.kind]] !== null && before[field[target.kind]] !== stored.sha256;
    return stored;
    // The publish's fsync and rename run inside: a loaded disk may take longer than Prisma's 5 s default.
  }, { timeout: 60_000, maxWait: 30_000 }).catch(async (err: unknown) => {
    // Refused before its publish (image gone, not uploadable): the temp file goes now.
    await discardIncoming(incoming);
    throw err;
  });
  // The file it replaced may be used by no image now.
  if (replaced) removeUnusedArtifactsSoon();
  // Its unpacked size, for the image page's RAM check: in the background, the answer doesn't wait.
  if (target.kind === 'rootfs') void measureRootfsArtifact(stored);
  return getImageOrThrow(target.imageId);
}

export interface ArtifactUpload {
  imageId: string;
  kind: ArtifactKind;
  body: AsyncIterable<Uint8Array>;
  expectedSha256?: string;
  declaredBytes?: number;
  force: boolean;
}

/** PUT with the file as the raw body (curl -T). */
export async function uploadArtifact(actor: Actor, input: ArtifactUpload): Promise<ImageWithArtifacts> {
  const limit = maxArtifactBytes();
  await refuseUnstorable(input.declaredBytes, limit);
  await refuseUnlessTargetUploadable(input);
  await cleanStaleUploadsOnce();
  const incoming = await receiveArtifactFile(dataDir(), input.body, { expectedBytes: input.declaredBytes, maxBytes: limit });
  return publishReceivedArtifact(actor, input, incoming, input.expectedSha256);
}

/** One part of a multipart/form-data body (server/api/multipart-form.ts reads them). */
export interface UploadFormPart {
  name: string;
  filename: string | null;
  body: AsyncIterable<Uint8Array>;
}

export interface FormArtifactUpload {
  imageId: string;
  kind: ArtifactKind;
  parts: AsyncIterable<UploadFormPart>;
  /** read the whole of a small field (sha256, force) */
  readField: (part: UploadFormPart) => Promise<string>;
  /** from the query string or the X-Checksum-Sha256 header */
  expectedSha256?: string;
  /** the whole form's Content-Length (the file plus a few hundred bytes of framing) */
  declaredBytes?: number;
  force: boolean;
}

/** The part headers and boundaries around the file in a form: more than this is not framing. */
const formFramingBytes = 64 * 1024;
const formFields = ['sha256', 'force'] as const;

/**
 * multipart/form-data (curl -F kernel=@vmlinuz -F sha256=…): the part named after the kind is
 * the file, streamed into the store like a raw body; sha256 and force may come as fields,
 * before or after the file. Nothing is published before the form's closing boundary: a form cut
 * anywhere leaves no artifact. A force field counts for the early refusal only if it comes
 * before the file (else ?force=true).
 */
export async function uploadArtifactForm(actor: Actor, input: FormArtifactUpload): Promise<ImageWithArtifacts> {
  const limit = maxArtifactBytes();
  await refuseUnstorable(input.declaredBytes === undefined ? undefined : input.declaredBytes - formFramingBytes, limit);
  await getImageOrThrow(input.imageId);
  const fields: Partial<Record<(typeof formFields)[number], string>> = {};
  const forced = () => input.force || fields.force === 'true' || fields.force === '1';
  let incoming: IncomingArtifact | null = null;
  try {
    for await (const part of input.parts) {
      if (part.name === input.kind) {
        if (incoming) throw invalid(input.kind, `the form has two ${input.kind} parts: send one file`);
        await refuseUnlessTargetUploadable({ ...input, force: forced() });
        await cleanStaleUploadsOnce();
        incoming = await receiveArtifactFile(dataDir(), part.body, { maxBytes: limit });
      } else if ((formFields as readonly string[]).includes(part.name)) {
        const name = part.name as (typeof formFields)[number];
        if (fields[name] !== undefined) throw invalid(name, `the form has two ${name} fields`);
        fields[name] = (await input.readField(part)).trim();
      } else {
        throw invalid(part.name, `unexpected form field "${part.name}": this upload takes ${input.kind} (the file), sha256 and force`);
      }
    }
    if (!incoming) throw invalid(input.kind, `the form has no ${input.kind} part: send the file as ${input.kind}=@file`);
    const parsed = artifactUploadQuery.parse(fields);
    if (parsed.sha256 && input.expectedSha256 && parsed.sha256.toLowerCase() !== input.expectedSha256.toLowerCase()) {
      throw invalid('sha256', 'the sha256 field and the X-Checksum-Sha256 header (or ?sha256=) disagree');
    }
    const received: IncomingArtifact = incoming;
    incoming = null; // from here on publishReceivedArtifact owns (and on refusal deletes) the file
    return await publishReceivedArtifact(actor, { imageId: input.imageId, kind: input.kind, force: forced() }, received, parsed.sha256 ?? input.expectedSha256, { via: 'form' });
  } finally {
    if (incoming) await discardIncoming(incoming);
  }
}
