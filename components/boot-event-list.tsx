// Boot events, newest first: when, which host, where it came from (dhcp, tftp, …), what happened.
import Link from 'next/link';
import { Table, TBody, Td, Th, None } from './data-table.tsx';
import { TimeText } from './time-text.tsx';
import { formatBytes } from './timeline/boot-summary.ts';

export interface BootEventRow {
  id: string;
  at: Date;
  source: string;
  type: string;
  mac: string | null;
  hostId: string | null;
  hostname: string | null;
  detail: unknown;
  bytesDone: bigint | null;
  bytesTotal: bigint | null;
}

function progress(e: BootEventRow): string | null {
  if (e.bytesTotal === null || e.bytesDone === null || e.bytesTotal === 0n) return null;
  return `${((Number(e.bytesDone) / Number(e.bytesTotal)) * 100).toFixed(0)} % of ${formatBytes(Number(e.bytesTotal))}`;
}

function detailText(detail: unknown): string {
  if (!detail || typeof detail !== 'object' || Object.keys(detail).length === 0) return '';
  return Object.entries(detail as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export function BootEventList({ events, showHost }: { events: BootEventRow[]; showHost: boolean }) {
  return (
    <Table label="Boot events">
      <thead>
        <tr>
          <Th>Time</Th>
          {showHost ? <Th>Host</Th> : null}
          <Th>Source</Th>
          <Th>Event</Th>
          <Th>Detail</Th>
        </tr>
      </thead>
      <TBody>
        {events.map((e) => (
          <tr key={e.id}>
            <Td className="text-xs text-slate-600">
              <TimeText date={e.at} />
            </Td>
            {showHost ? (
              <Td>
                {e.hostId && e.hostname ? (
                  <Link href={`/hosts/${e.hostId}`} className="whitespace-nowrap text-blue-700 hover:underline">
                    {e.hostname}
                  </Link>
                ) : e.mac ? (
                  <span className="font-mono text-xs" title="unknown machine">{e.mac}</span>
                ) : (
                  <None />
                )}
              </Td>
            ) : null}
            <Td className="font-mono text-xs">{e.source}</Td>
            <Td className="font-medium">{e.type}</Td>
            <Td className="max-w-md truncate font-mono text-xs text-slate-600" title={detailText(e.detail)}>
              {[progress(e), detailText(e.detail)].filter(Boolean).join(' · ')}
            </Td>
          </tr>
        ))}
      </TBody>
    </Table>
  );
}
