// The console as the origin of artifacts (DESIGN.md "bootd on its own machine"): a boot server
// pulls each file by its sha256 into its own cache. Only the Artifact row's file is ever
// answered, and only while its size is the recorded one (a file being replaced is not sent).
import { stat } from 'node:fs/promises';
import { db } from '../db/client.ts';

export const sha256Pattern = /^[0-9a-f]{64}$/;

export interface ArtifactFile {
  sha256: string;
  sizeBytes: number;
  path: string;
  lastModified: Date;
}

/** The stored file of an artifact, or null when there is no such artifact or its file is gone or changed size. */
export async function findArtifactFile(sha256: string): Promise<ArtifactFile | null> {
  const row = await db().artifact.findUnique({ where: { sha256 } });
  if (!row) return null;
  try {
    const st = await stat(row.path);
    if (!st.isFile() || st.size !== Number(row.sizeBytes)) return null;
    return { sha256, sizeBytes: st.size, path: row.path, lastModified: st.mtime };
  } catch {
    return null;
  }
}
