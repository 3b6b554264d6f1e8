// The dashboard's "N hosts can't boot": the boot doctor's fleet summary, one line per cause
// (most hosts first), each a link to the doctor page filtered to that cause.
import Link from 'next/link';
import type { FleetDoctorSummary } from '@/lib/boot/host-doctor.ts';
import { Panel } from './page-header.tsx';

export function FleetDoctorPanel({ summary }: { summary: FleetDoctorSummary }) {
  if (summary.cannotBoot === 0) return null;
  return (
    <Panel title={`${summary.cannotBoot.toLocaleString('en-US')} of ${summary.hosts.toLocaleString('en-US')} hosts can't boot`} className="mb-6" actions={<Link href="/doctor" className="text-sm text-blue-700 hover:underline">All causes</Link>}>
      <ul className="divide-y divide-slate-100 text-sm" data-testid="fleet-doctor">
        {summary.groups.map((g) => (
          <li key={g.cause}>
            <Link href={`/doctor?cause=${g.cause}`} className="flex items-baseline justify-between gap-3 px-4 py-2 hover:bg-slate-50">
              <span className="text-slate-800">{g.text}</span>
              <span className="font-semibold text-red-800 tabular-nums">{g.hosts.length.toLocaleString('en-US')}</span>
            </Link>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
