// An artifact not in the cache yet, sent while it is pulled (stream-through): the response
// follows the .part file as the pull writes it, and holds back the last byte until the whole
// file's sha256 has matched. A pull that fails (cut for good, hash mismatch) cuts the response
// short of its Content-Length, so a client never takes a half or wrong file for a whole one.
// One byte range is followed too (a resumed download); several ranges are answered whole.
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decideRange } from '../../lib/http-range.ts';
import type { ArtifactPull } from '../artifacts/artifact-pull.ts';
import { cutShort, doneWhenSent, drained, maxQueuedResponseBytes, streamChunkBytes, type FileResponseHooks } from './file-response.ts';

/** A pull that writes nothing for this long is given up on by its followers. */
export const followIdleMs = 60_000;

async function openFollowed(pull: ArtifactPull): Promise<FileHandle> {
  for (;;) {
    try {
      return await open(pull.partPath, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // Admitted between the lookup and now: the .part has its final name.
      if (pull.state === 'done') return open(pull.finalPath, 'r');
      if (pull.state === 'failed') throw new Error(`the pull from the console failed (${pull.failure})`);
      // Queued behind other pulls: its .part comes with its first bytes.
      if (!(await waitForChange(pull))) throw new Error(`the pull from the console did not start within ${followIdleMs / 1000} s`);
    }
  }
}

/** Bytes a follower may send now: all of them only once the pull's sha256 matched. */
function sendableEnd(pull: ArtifactPull): number {
  return pull.state === 'done' ? pull.sizeBytes : Math.min(pull.written, pull.sizeBytes - 1);
}

function waitForChange(pull: ArtifactPull): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), followIdleMs);
    void pull.changed().then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function sendFollowingPull(req: IncomingMessage, res: ServerResponse, pull: ArtifactPull, hooks: FileResponseHooks): Promise<void> {
  const size = pull.sizeBytes;
  const decision = decideRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, size);
  const etag = `"${pull.sha256}"`;
  const common = ['ETag', etag, 'Accept-Ranges', 'bytes', 'Cache-Control', 'no-cache', 'Content-Type', 'application/octet-stream'];
  if (decision.kind === 'unsatisfiable') {
    res.writeHead(416, [...common, 'Content-Range', `bytes */${size}`, 'Content-Length', '0']).end();
    hooks.onDone({ ok: false, bytesSent: 0, reason: 'range-not-satisfiable' });
    return;
  }
  const range = decision.kind === 'partial' && decision.ranges.length === 1 ? decision.ranges[0]! : { start: 0, end: size - 1 };
  const partial = range.start !== 0 || range.end !== size - 1;
  const length = range.end - range.start + 1;
  res.writeHead(partial ? 206 : 200, [...common, 'Content-Length', String(length), ...(partial ? ['Content-Range', `bytes ${range.start}-${range.end}/${size}`] : [])]);
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    doneWhenSent(res, 0, hooks);
    return;
  }
  let position = range.start;
  let sent = 0;
  let file: FileHandle | null = null;
  try {
    file = await openFollowed(pull);
    const buffer = Buffer.allocUnsafe(streamChunkBytes);
    while (position <= range.end) {
      if (res.destroyed) throw new Error('client went away');
      const end = Math.min(sendableEnd(pull), range.end + 1);
      if (position < end) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, end - position), position);
        if (bytesRead === 0) throw new Error('the pulled file is shorter than the pull says');
        position += bytesRead;
        sent += bytesRead;
        hooks.onProgress(sent, length);
        res.write(Buffer.from(buffer.subarray(0, bytesRead)));
        if (res.writableLength > maxQueuedResponseBytes) await drained(res);
        continue;
      }
      if (pull.state === 'failed') throw new Error(`the pull from the console failed (${pull.failure}): not sending the rest`);
      if (!(await waitForChange(pull))) throw new Error(`the pull from the console wrote nothing for ${followIdleMs / 1000} s`);
    }
    res.end();
    doneWhenSent(res, sent, hooks);
  } catch (err) {
    cutShort(res, sent, err as Error, hooks);
  } finally {
    await file?.close();
  }
}
