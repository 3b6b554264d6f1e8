// A count of hosts in one state, in that state's colour and word, linking to the filtered list.
import Link from 'next/link';
import type { ReactNode } from 'react';
import { HostStateBadge, hostStateTone, type BadgeTone } from './badge.tsx';

const edge: Record<BadgeTone, string> = {
  blue: 'border-l-blue-500',
  green: 'border-l-green-600',
  red: 'border-l-red-600',
  amber: 'border-l-amber-500',
  grey: 'border-l-gray-400',
  neutral: 'border-l-slate-300',
  stone: 'border-l-stone-500',
  violet: 'border-l-violet-500',
  teal: 'border-l-teal-600',
};

export function StateCountTile({ state, count, href }: { state: string; count: number; href: string }) {
  return (
    <Link href={href} className={`flex min-w-0 flex-col gap-1 rounded-lg border border-l-4 border-slate-200 bg-white px-3 py-3 shadow-xs hover:border-slate-300 ${edge[hostStateTone(state)]}`}>
      <span className="text-2xl font-semibold text-slate-900 tabular-nums">{count.toLocaleString('en-US')}</span>
      <span>
        <HostStateBadge state={state} />
      </span>
    </Link>
  );
}

export function TileGrid({ children }: { children: ReactNode }) {
  return <div className="grid grid-cols-2 gap-3 sm:grid-cols-4 xl:grid-cols-8">{children}</div>;
}
