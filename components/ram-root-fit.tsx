// A ram-mode image's root in memory (issue 21): how the rootfs is compressed, what it takes
// unpacked, the RAM each host needs for it, and the role's hosts that have less.
import Link from 'next/link';
import { formatBytes } from './timeline/boot-summary.ts';

export interface RamRootFitView {
  compressedBytes: number;
  /** null: not measured yet; 'unknown': not an archive the agent can unpack. */
  compression: string | null;
  unpackedBytes: number | null;
  needBytes: number | null;
  short: Array<{ hostId: string; hostname: string; memoryBytes: number }>;
  fitting: number;
  unknown: number;
}

const shownShortHosts = 10;

export function RamRootFit({ view }: { view: RamRootFitView }) {
  if (view.compression === null) {
    return <p className="py-3 text-sm text-slate-600">Measuring the rootfs ({formatBytes(view.compressedBytes)}): reload in a moment for its unpacked size.</p>;
  }
  if (view.unpackedBytes === null || view.needBytes === null) {
    return (
      <p role="alert" className="py-3 text-sm text-red-700">
        Failed: the rootfs ({view.compression}) could not be read as a tar archive; hosts of this role would fail to unpack it. Upload a .tar.gz, .tar.zst or .tar.xz.
      </p>
    );
  }
  const hidden = view.short.length - shownShortHosts;
  return (
    <div className="space-y-2 py-3 text-sm">
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
        <dt className="text-slate-500">Rootfs</dt>
        <dd>{formatBytes(view.compressedBytes)} ({view.compression === 'none' ? 'uncompressed tar' : view.compression})</dd>
        <dt className="text-slate-500">Unpacked in RAM</dt>
        <dd>{formatBytes(view.unpackedBytes)}</dd>
        <dt className="text-slate-500">RAM each host needs</dt>
        <dd>{formatBytes(view.needBytes)} <span className="text-slate-500">(the root in a tmpfs of at most 90 % of RAM, and 256 MiB for the kernel and the system)</span></dd>
      </dl>
      {view.short.length > 0 ? (
        <div role="alert" className="rounded border border-amber-300 bg-amber-50 p-2 text-amber-900">
          <p className="font-medium">Too little RAM: {view.short.length} host{view.short.length === 1 ? '' : 's'} of this role {view.short.length === 1 ? 'has' : 'have'} less RAM than this root needs.</p>
          <ul className="mt-1 list-inside list-disc">
            {view.short.slice(0, shownShortHosts).map((h) => (
              <li key={h.hostId}>
                <Link href={`/hosts/${h.hostId}`} className="text-blue-700 hover:underline">{h.hostname}</Link>: {formatBytes(h.memoryBytes)}
              </li>
            ))}
            {hidden > 0 ? <li>and {hidden} more</li> : null}
          </ul>
        </div>
      ) : null}
      <p className="text-slate-600">
        {view.fitting} host{view.fitting === 1 ? '' : 's'} of the role {view.fitting === 1 ? 'has' : 'have'} enough RAM
        {view.unknown > 0 ? `; ${view.unknown} never went through discovery, so their RAM is not known` : ''}.
      </p>
    </div>
  );
}
