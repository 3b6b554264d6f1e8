// The database's replication state in Prometheus text format, for /api/v1/metrics. Members
// are labelled by name and role; a lag the source can't give is left out, never written as 0.
import type { DatabaseCluster } from '../../lib/database-cluster.ts';

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function databaseClusterMetrics(c: DatabaseCluster): string {
  const lines = [
    '# HELP fleetboot_database_state_readable Whether the database replication state could be read (source: patroni or postgres)',
    '# TYPE fleetboot_database_state_readable gauge',
    `fleetboot_database_state_readable{source="${c.source}"} ${c.error ? 0 : 1}`,
    '# HELP fleetboot_database_primary_up A running primary is known (0 while failing over or unreadable)',
    '# TYPE fleetboot_database_primary_up gauge',
    `fleetboot_database_primary_up ${c.primary ? 1 : 0}`,
    '# HELP fleetboot_database_failing_over Patroni answers but no member is a running primary',
    '# TYPE fleetboot_database_failing_over gauge',
    `fleetboot_database_failing_over ${c.failingOver ? 1 : 0}`,
  ];
  if (c.timeline !== null) {
    lines.push('# HELP fleetboot_database_timeline The primary\'s timeline (goes up by one at each promotion)',
      '# TYPE fleetboot_database_timeline gauge', `fleetboot_database_timeline ${c.timeline}`);
  }
  lines.push('# HELP fleetboot_database_member One per database member, labelled with its role and state',
    '# TYPE fleetboot_database_member gauge',
    ...c.members.map((m) => `fleetboot_database_member{member="${label(m.name)}",role="${m.role}",state="${label(m.state)}"} 1`));
  const lagged = c.members.filter((m) => m.role !== 'primary' && m.lagBytes !== null);
  if (lagged.length) {
    lines.push('# HELP fleetboot_database_replication_lag_bytes WAL bytes a replica has not replayed yet',
      '# TYPE fleetboot_database_replication_lag_bytes gauge',
      ...lagged.map((m) => `fleetboot_database_replication_lag_bytes{member="${label(m.name)}"} ${m.lagBytes}`));
  }
  return lines.join('\n');
}
