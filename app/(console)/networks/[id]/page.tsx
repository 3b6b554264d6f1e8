// One network: its settings (read-only for viewers) and delete.
import Link from 'next/link';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { NetworkForm } from '@/components/network-form.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { getNetworkOrThrow } from '@/server/networks/queries.ts';
import { bootServerChoices } from '@/server/boot-servers/queries.ts';
import { findOr404 } from '../../_shared/find-or-404.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Network · Fleetboot' };

export default async function NetworkPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const network = await findOr404((await params).id, getNetworkOrThrow);
  const canEdit = allows(actor, 'operator');
  const bootServers = await bootServerChoices();
  return (
    <>
      <PageHeader
        title={network.name}
        description={
          <>
            <span className="font-mono">{network.cidr}</span> ·{' '}
            <Link href={`/hosts?networkId=${network.id}`} className="text-blue-700 hover:underline">
              its hosts
            </Link>
          </>
        }
        actions={canEdit ? <ConfirmDeleteButton path={`/api/v1/networks/${network.id}`} what={`network ${network.name}`} redirectTo="/networks" consequence="Its hosts keep their records but lose the network." /> : null}
      />
      {canEdit ? null : <p className="mb-4 text-sm text-slate-600">You have view-only access ({actor.role}).</p>}
      <Panel className="max-w-4xl">
        <div className="p-4">
          <NetworkForm
            network={{
              id: network.id,
              name: network.name,
              cidr: network.cidr,
              gateway: network.gateway,
              dnsServers: network.dnsServers,
              domain: network.domain,
              bootServer: network.bootServer,
              poolStart: network.poolStart,
              poolEnd: network.poolEnd,
              leaseSeconds: network.leaseSeconds,
              relayAddresses: network.relayAddresses,
              discoveryEnabled: network.discoveryEnabled,
              bootServerId: network.bootServerId,
              peerBootServerId: network.peerBootServerId,
              ipv6Prefix: network.ipv6Prefix,
              ipv6PoolStart: network.ipv6PoolStart,
              ipv6PoolEnd: network.ipv6PoolEnd,
              ipv6BootServer: network.ipv6BootServer,
            }}
            bootServers={bootServers}
            readOnly={!canEdit}
          />
        </div>
      </Panel>
    </>
  );
}
