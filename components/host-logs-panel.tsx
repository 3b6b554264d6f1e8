'use client';
// A host's syslog, live: its last lines as its boot server(s) keep them (GET /api/v1/hosts/{id}/logs),
// read again every few seconds while "Follow" is on, scrolled to the newest line. Says so when
// no boot server answers rather than showing an empty box.
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiRequest } from './api-request.ts';
import { Panel } from './page-header.tsx';

const linesShown = 200;
const followEveryMs = 3000;

type Tail = { state: 'loading' } | { state: 'unavailable'; why: string } | { state: 'lines'; lines: string[] };

export function HostLogsPanel({ hostId }: { hostId: string }) {
  const [tail, setTail] = useState<Tail>({ state: 'loading' });
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement | null>(null);

  const load = useCallback(async () => {
    const r = await apiRequest<{ lines: string[] | null }>('GET', `/api/v1/hosts/${encodeURIComponent(hostId)}/logs?lines=${linesShown}`);
    if (!r.ok) setTail({ state: 'unavailable', why: r.error });
    else if (r.data.lines === null) setTail({ state: 'unavailable', why: 'no boot server answered (is syslog enabled on its bootd?)' });
    else setTail({ state: 'lines', lines: r.data.lines });
  }, [hostId]);

  useEffect(() => {
    let gone = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const next = async () => {
      await load();
      if (!gone && follow) timer = setTimeout(() => void next(), followEveryMs);
    };
    void next();
    return () => {
      gone = true;
      if (timer) clearTimeout(timer);
    };
  }, [load, follow]);

  const lineCount = tail.state === 'lines' ? tail.lines.length : 0;
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lineCount, follow]);

  return (
    <Panel
      title="Logs"
      className="self-start"
      actions={
        <label className="flex items-center gap-1.5 text-xs text-slate-600">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
      }
    >
      <div className="p-4" data-testid="host-logs" data-state={tail.state}>
        {tail.state === 'loading' ? <p className="text-sm text-slate-500">Asking its boot server…</p> : null}
        {tail.state === 'unavailable' ? <p className="text-sm text-slate-600">Logs unavailable: {tail.why}.</p> : null}
        {tail.state === 'lines' && tail.lines.length === 0 ? <p className="text-sm text-slate-600">No log lines from this host yet. Its syslog reaches bootd once its kernel or agent logs over the network.</p> : null}
        {tail.state === 'lines' && tail.lines.length > 0 ? (
          <pre ref={box} data-testid="host-log-lines" className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-950 p-3 font-mono text-xs text-slate-100">
            {tail.lines.join('\n')}
          </pre>
        ) : null}
      </div>
    </Panel>
  );
}
