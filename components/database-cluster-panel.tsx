// The dashboard's Database panel: the primary, its replicas with their replication lag, the
// timeline, and where that was read (Patroni's REST API or PostgreSQL itself). A value the
// source can't give reads "unknown", never a made-up 0.
import type { DatabaseCluster, MemberRole } from '@/lib/database-cluster.ts';
import { Badge, type BadgeTone } from './badge.tsx';
import { Table, TBody, Td, Th } from './data-table.tsx';
import { Panel } from './page-header.tsx';
import { formatBytes } from './timeline/boot-summary.ts';

const roleWords: Record<MemberRole, { word: string; tone: BadgeTone }> = {
  primary: { word: 'primary', tone: 'green' },
  sync_replica: { word: 'synchronous replica', tone: 'blue' },
  replica: { word: 'replica', tone: 'neutral' },
  unknown: { word: 'unknown', tone: 'grey' },
};

function lagText(role: MemberRole, lagBytes: number | null): string {
  if (role === 'primary') return '';
  return lagBytes === null ? 'unknown' : formatBytes(lagBytes);
}

const sourceWords = { patroni: "Patroni's REST API", postgres: 'PostgreSQL (pg_stat_replication)' } as const;

export function DatabaseClusterPanel({ cluster }: { cluster: DatabaseCluster }) {
  const headline = cluster.error
    ? <Badge tone="amber">state unreadable</Badge>
    : cluster.failingOver
      ? <Badge tone="amber">failing over: no primary yet</Badge>
      : <Badge tone="green">primary {cluster.primary}</Badge>;
  return (
    <Panel title="Database" className="mb-6" actions={headline}>
      <div data-testid="database-cluster" className="px-4 py-3 text-sm text-slate-700">
        <p>
          {cluster.members.filter((m) => m.role !== 'primary').length} replica(s), timeline {cluster.timeline ?? 'unknown'}; read from {sourceWords[cluster.source]}.
          {cluster.error ? <span className="block text-amber-900">Could not read it: {cluster.error}</span> : null}
        </p>
      </div>
      {cluster.members.length ? (
        <Table label="Database members">
          <thead>
            <tr>
              <Th>Member</Th>
              <Th>Role</Th>
              <Th>State</Th>
              <Th className="text-right">Lag</Th>
              <Th className="text-right">Timeline</Th>
            </tr>
          </thead>
          <TBody>
            {cluster.members.map((m) => (
              <tr key={m.name}>
                <Td>{m.name}{m.host && !m.name.includes(m.host) ? <span className="text-slate-500"> ({m.host})</span> : null}</Td>
                <Td><Badge tone={roleWords[m.role].tone}>{roleWords[m.role].word}</Badge></Td>
                <Td>{m.state}</Td>
                <Td className="text-right tabular-nums">{lagText(m.role, m.lagBytes)}</Td>
                <Td className="text-right tabular-nums">{m.timeline ?? ''}</Td>
              </tr>
            ))}
          </TBody>
        </Table>
      ) : null}
    </Panel>
  );
}
