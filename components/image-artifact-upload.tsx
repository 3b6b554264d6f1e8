'use client';
// Uploads one artifact of an image from the browser as a resumable upload (resumable-upload.ts:
// a session on the server, the file PATCHed in 16 MiB chunks), with the bytes sent shown as a
// bar. A dropped connection resumes from the server's offset instead of starting over; choosing
// the same file again after a reload resumes too. The server computes the sha256; the answer's
// digest is shown.
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { Button } from './button.tsx';
import { UploadCancelled, UploadStalled, uploadResumable } from './resumable-upload.ts';
import { useHydrated } from './use-hydrated.ts';

type Kind = 'kernel' | 'initrd' | 'rootfs';

interface Props {
  imageId: string;
  kind: Kind;
  /** a ready (or later) image needs force to replace an artifact */
  needsForce: boolean;
  current: { sha256: string; sizeBytes: number } | null;
}

const label: Record<Kind, string> = { kernel: 'Kernel', initrd: 'Initrd', rootfs: 'Root filesystem' };

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function ImageArtifactUpload({ imageId, kind, needsForce, current }: Props) {
  const hydrated = useHydrated();
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const cancel = useRef<(() => void) | null>(null);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [force, setForce] = useState(false);
  const busy = progress !== null;

  async function upload() {
    const file = input.current?.files?.[0];
    if (!file) {
      setError('choose a file first');
      return;
    }
    setError(null);
    setDone(null);
    setRetrying(null);
    setProgress({ loaded: 0, total: file.size });
    try {
      const image = await uploadResumable(file, {
        createUrl: `/api/v1/images/${imageId}/artifacts/${kind}/uploads`,
        force,
        resumeKey: `fleetboot-upload:${imageId}:${kind}`,
        onProgress: (loaded, total) => {
          setProgress({ loaded, total });
          if (loaded > 0) setRetrying(null);
        },
        onRetry: (attempt, stored) => setRetrying(`connection lost: ${formatBytes(stored)} stored, resuming (attempt ${attempt})…`),
        onStart: (controls) => (cancel.current = controls.cancel),
      });
      setDone(`uploaded: sha256 ${String(image[`${kind}Sha256`] ?? '').slice(0, 16)}…, image ${String(image.status)}`);
      if (input.current) input.current.value = '';
      router.refresh();
    } catch (err) {
      if (err instanceof UploadStalled) {
        setError(`${err.message}: ${formatBytes(err.stored)} of ${formatBytes(err.total)} stored. Upload the same file again to continue from there.`);
      } else if (err instanceof UploadCancelled) {
        setError('upload cancelled; nothing was stored');
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      cancel.current = null;
      setProgress(null);
      setRetrying(null);
    }
  }

  const percent = progress && progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0;
  return (
    <div className="flex flex-col gap-2 border-b border-slate-200 py-3 last:border-b-0" data-artifact={kind}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="text-sm font-medium text-slate-900">{label[kind]}</span>
        <span className="font-mono text-xs text-slate-600">
          {current ? (
            <>
              <span title={current.sha256}>{current.sha256.slice(0, 16)}…</span> · {formatBytes(current.sizeBytes)}
            </>
          ) : (
            'not uploaded'
          )}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <input ref={input} type="file" aria-label={`${label[kind]} file`} disabled={busy} className="text-sm file:mr-2 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1" />
        {needsForce ? (
          <label className="flex items-center gap-1 text-xs text-slate-700">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> replace (the image is no longer uploading)
          </label>
        ) : null}
        <Button kind="secondary" onClick={() => void upload()} disabled={!hydrated || busy}>
          {busy ? 'Uploading…' : `Upload ${kind}`}
        </Button>
        {busy ? (
          <Button kind="danger" onClick={() => cancel.current?.()}>
            Cancel
          </Button>
        ) : null}
      </div>
      {progress ? (
        <div className="flex items-center gap-2">
          <progress aria-label={`${label[kind]} upload progress`} className="h-2 w-64" max={100} value={percent} />
          <span className="text-xs tabular-nums text-slate-700" data-testid={`${kind}-progress-text`}>
            {percent}% · {formatBytes(progress.loaded)} of {formatBytes(progress.total)}
          </span>
        </div>
      ) : null}
      {retrying ? <p className="text-sm text-amber-800" data-testid={`${kind}-retrying`}>{retrying}</p> : null}
      {error ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
      {done ? <p className="text-sm text-green-800">{done}</p> : null}
    </div>
  );
}
