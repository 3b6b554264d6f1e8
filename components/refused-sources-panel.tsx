// The addresses bootd refused in the last hour (its agent API and status endpoint), most refused
// first: a probe or a misconfigured host shows here as one line with its count, not as a flood of events.
import { None, Table, TBody, Td, Th } from './data-table.tsx';
import { Panel } from './page-header.tsx';
import { TimeText } from './time-text.tsx';

export interface RefusedSourceRow {
  service: string;
  clientIp: string;
  requests: number;
  lastAt: Date;
  lastReason: string | null;
}

const serviceWords: Record<string, string> = { agent: 'boot agent API', bootd: 'status endpoint' };

export function RefusedSourcesPanel({ sources }: { sources: RefusedSourceRow[] }) {
  return (
    <Panel title="Refused requests, last hour" className="mt-6">
      {sources.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-600">bootd refused no request in the last hour.</p>
      ) : (
        <Table label="Refused requests by source">
          <thead>
            <tr>
              <Th>Source</Th>
              <Th>Refused by</Th>
              <Th className="text-right">Requests</Th>
              <Th>Last reason</Th>
              <Th>Last</Th>
            </tr>
          </thead>
          <TBody>
            {sources.map((s) => (
              <tr key={`${s.service} ${s.clientIp}`} data-testid={`refused-${s.service}-${s.clientIp}`}>
                <Td className="font-mono text-xs">{s.clientIp}</Td>
                <Td>{serviceWords[s.service] ?? s.service}</Td>
                <Td className="text-right tabular-nums">{s.requests.toLocaleString('en-US')}</Td>
                <Td className="max-w-md truncate text-xs text-slate-600" title={s.lastReason ?? undefined}>{s.lastReason ?? <None />}</Td>
                <Td className="text-xs text-slate-600"><TimeText date={s.lastAt} /></Td>
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </Panel>
  );
}
