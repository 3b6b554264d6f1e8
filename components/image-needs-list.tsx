// What an image needs (lib/boot/image-needs.ts), one line each: root mode and its artifacts,
// RAM, Secure Boot, firmware, each marked met, missing, or said for information.
import type { ImageNeed } from '@/lib/boot/image-needs.ts';
import { Badge } from './badge.tsx';

function needBadge(met: boolean | null) {
  if (met === true) return <Badge tone="green">met</Badge>;
  if (met === false) return <Badge tone="red">missing</Badge>;
  return <Badge tone="neutral">note</Badge>;
}

export function ImageNeedsList({ needs }: { needs: readonly ImageNeed[] }) {
  return (
    <ul className="divide-y divide-slate-100 text-sm" data-testid="image-needs">
      {needs.map((n) => (
        <li key={n.key} className="grid grid-cols-[6.5rem_4.5rem_minmax(0,1fr)] gap-3 py-2" data-testid={`image-need-${n.key}`} data-met={String(n.met)}>
          <span className="font-medium text-slate-900">{n.title}</span>
          <span>{needBadge(n.met)}</span>
          <span className="break-words text-slate-700">{n.detail}</span>
        </li>
      ))}
    </ul>
  );
}
