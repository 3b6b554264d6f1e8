// The fleet overview: every host as a tile in its state's colour and word, grouped by role, live.
import { FleetGrid } from '@/components/fleet/fleet-grid.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { getFleetSnapshot } from '@/server/fleet/queries.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Fleet · Fleetboot' };

export default async function FleetPage() {
  await requirePageActor();
  const snapshot = await getFleetSnapshot();
  return (
    <>
      <PageHeader title="Fleet" description="Every host by state, grouped by role. Click a host to open it; click a count to show only that state." />
      <FleetGrid snapshot={snapshot} />
    </>
  );
}
