'use client';
// Keeps a server-rendered page current: listens to the boot event stream (SSE) and re-renders
// the page from the server when something happens, at most once per interval, so a boot storm
// costs one refresh per interval, not one per event.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

interface Props {
  /** Only this host's events (host page); all events otherwise. */
  hostId?: string;
  /** The newest event seq the page already shows: the stream starts after it. */
  afterSeq?: string;
  minRefreshMs?: number;
}

export function LiveRefresh({ hostId, afterSeq, minRefreshMs = 2000 }: Props) {
  const router = useRouter();
  const [connected, setConnected] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const params = new URLSearchParams();
    if (hostId) params.set('hostId', hostId);
    if (afterSeq) params.set('after', afterSeq);
    const source = new EventSource(`/api/v1/events/stream${params.size ? `?${params}` : ''}`);
    const changed = () => {
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        router.refresh();
      }, minRefreshMs);
    };
    source.addEventListener('boot-event', changed);
    source.addEventListener('host-state', changed);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => {
      source.close();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [hostId, afterSeq, minRefreshMs, router]);

  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-500" title={connected ? 'Updates as hosts boot' : 'Reconnecting to the event stream'}>
      <span aria-hidden className={`size-2 rounded-full ${connected ? 'bg-green-500' : 'bg-slate-300'}`} />
      {connected ? 'live' : 'reconnecting'}
    </span>
  );
}
