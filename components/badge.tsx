// The one badge: a word with a coloured dot. Host states and image statuses each map to a tone
// here, so a state has the same colour everywhere (STYLE.md "UI": one colour and a word).
import type { ReactNode } from 'react';

const tones = {
  blue: 'bg-blue-50 text-blue-800 ring-blue-600/25 [--dot:var(--color-blue-500)]',
  green: 'bg-green-50 text-green-800 ring-green-600/25 [--dot:var(--color-green-600)]',
  red: 'bg-red-50 text-red-800 ring-red-600/25 [--dot:var(--color-red-600)]',
  amber: 'bg-amber-50 text-amber-900 ring-amber-600/30 [--dot:var(--color-amber-500)]',
  grey: 'bg-gray-100 text-gray-700 ring-gray-500/25 [--dot:var(--color-gray-400)]',
  neutral: 'bg-white text-slate-700 ring-slate-400/40 [--dot:transparent]',
  stone: 'bg-stone-100 text-stone-800 ring-stone-500/30 [--dot:var(--color-stone-500)]',
  violet: 'bg-violet-50 text-violet-800 ring-violet-600/25 [--dot:var(--color-violet-500)]',
  teal: 'bg-teal-50 text-teal-800 ring-teal-600/25 [--dot:var(--color-teal-600)]',
} as const;
export type BadgeTone = keyof typeof tones;

export function Badge({ tone, children, dashed = false }: { tone: BadgeTone; children: ReactNode; dashed?: boolean }) {
  return (
    <span
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]} ${dashed ? 'ring-0 outline-1 outline-dashed -outline-offset-1 outline-slate-400' : ''}`}
    >
      <span aria-hidden className="size-1.5 rounded-full border border-current/40 bg-(--dot)" />
      {children}
    </span>
  );
}

const hostStateTones: Record<string, BadgeTone> = {
  booting: 'blue',
  up: 'green',
  failed: 'red',
  stalled: 'amber',
  offline: 'grey',
  registered: 'neutral',
  discovered: 'stone',
};

export function hostStateTone(state: string): BadgeTone {
  return hostStateTones[state] ?? 'neutral';
}

export function HostStateBadge({ state }: { state: string }) {
  return <Badge tone={hostStateTone(state)}>{state}</Badge>;
}

const imageStatusTones: Record<string, BadgeTone> = {
  uploading: 'blue',
  ready: 'neutral',
  trial: 'violet',
  verified: 'teal',
  active: 'green',
  retired: 'grey',
  failed: 'red',
};

export function ImageStatusBadge({ status }: { status: string }) {
  return <Badge tone={imageStatusTones[status] ?? 'neutral'}>{status}</Badge>;
}

/** A host registered before its hardware arrived: no MAC yet, claimed when it first boots. */
export function WaitingForHardwareBadge() {
  return (
    <Badge tone="neutral" dashed>
      waiting for hardware
    </Badge>
  );
}

const bootServerStateTones: Record<string, BadgeTone> = { healthy: 'green', lagging: 'amber', gone: 'red', revoked: 'grey' };

export function BootServerStateBadge({ state }: { state: string }) {
  return <Badge tone={bootServerStateTones[state] ?? 'neutral'}>{state}</Badge>;
}
