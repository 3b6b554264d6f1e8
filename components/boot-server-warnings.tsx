// The dashboard's warning about boot servers: any gone or lagging (with why), and networks that
// nobody serves. Renders nothing when all is well.
import Link from 'next/link';

/** What the panel shows (server/boot-servers/queries.ts bootServerWarnings gives it). */
export interface BootServerWarningProps {
  troubled: Array<{ id: string; name: string; site: string; health: { state: string; reasons: string[] } }>;
  unservedNetworks: Array<{ id: string; name: string; why: string }>;
}

export function BootServerWarningPanel({ warnings }: { warnings: BootServerWarningProps }) {
  if (warnings.troubled.length === 0 && warnings.unservedNetworks.length === 0) return null;
  return (
    <section role="alert" aria-label="Boot server warnings" className="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950">
      <h2 className="font-semibold">
        <Link href="/boot-servers" className="hover:underline">Boot servers</Link> need attention
      </h2>
      <ul className="mt-2 list-disc pl-5">
        {warnings.troubled.map((s) => (
          <li key={s.id}>
            <strong>{s.name}</strong> ({s.site}) is {s.health.state}: {s.health.reasons.join('; ')}
          </li>
        ))}
        {warnings.unservedNetworks.map((n) => (
          <li key={n.id}>
            network <Link href={`/networks/${n.id}`} className="font-medium underline">{n.name}</Link> is not served: {n.why}
          </li>
        ))}
      </ul>
    </section>
  );
}
