// The boot doctor for the fleet: every cause that stops hosts booting, with its hosts; ?cause=
// narrows to one (the dashboard's links). Each host links to its page, where the doctor says
// what exactly fails and what to try.
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { flatParams, type PageSearchParams } from '@/components/search-params.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { diagnoseFleet } from '@/server/boot-doctor/queries.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: "Can't boot · Fleetboot" };

/** Hosts listed per cause; the count above says how many there are in all. */
const hostsShownPerCause = 500;

export default async function DoctorPage({ searchParams }: { searchParams: PageSearchParams }) {
  await requirePageActor();
  const { cause } = flatParams(await searchParams);
  const summary = await diagnoseFleet();
  const groups = cause ? summary.groups.filter((g) => g.cause === cause) : summary.groups;
  return (
    <>
      <PageHeader
        title="Hosts that can't boot"
        description={`${summary.cannotBoot.toLocaleString('en-US')} of ${summary.hosts.toLocaleString('en-US')} hosts would not boot if powered on now, by cause. Checked with the code bootd answers with.`}
        actions={cause ? <Link href="/doctor" className="text-sm text-blue-700 hover:underline">All causes</Link> : null}
      />
      {groups.length === 0 ? (
        <EmptyState title={cause ? 'No host fails for this cause' : 'Every host can boot'}>Nothing in the hosts&apos; settings, roles, images or networks stops them booting.</EmptyState>
      ) : (
        groups.map((g) => (
          <Panel key={g.cause} title={`${g.text}: ${g.hosts.length.toLocaleString('en-US')}`} className="mb-6" actions={cause ? null : <Link href={`/doctor?cause=${g.cause}`} className="text-sm text-blue-700 hover:underline">Only these</Link>}>
            <ul className="flex flex-wrap gap-x-4 gap-y-1 p-4 text-sm" data-testid={`doctor-group-${g.cause}`}>
              {g.hosts.slice(0, hostsShownPerCause).map((h) => (
                <li key={h.id}>
                  <Link href={`/hosts/${h.id}`} className="text-blue-700 hover:underline">{h.hostname}</Link>
                </li>
              ))}
              {g.hosts.length > hostsShownPerCause ? <li className="text-slate-500">and {(g.hosts.length - hostsShownPerCause).toLocaleString('en-US')} more</li> : null}
            </ul>
          </Panel>
        ))
      )}
    </>
  );
}
