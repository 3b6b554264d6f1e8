// One host: its last boot's outcome and reason, power, why it would not boot (the boot doctor), its logs, the edit form (read-only for viewers), its boot events, delete.
import { HostStateBadge, WaitingForHardwareBadge } from '@/components/badge.tsx';
import { BootDoctorPanel } from '@/components/boot-doctor-panel.tsx';
import { BootEventList } from '@/components/boot-event-list.tsx';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { HostConsolePanel } from '@/components/console/host-console-panel.tsx';
import { RecordedConsoles } from '@/components/console/recorded-consoles.tsx';
import { listRecordedBoots } from '@/server/console/boot-console-queries.ts';
import { HostForm } from '@/components/host-form.tsx';
import { HostLogsPanel } from '@/components/host-logs-panel.tsx';
import { HostPowerPanel } from '@/components/host-power-panel.tsx';
import { HostLastBootSection } from '../../_live/host-last-boot-section.tsx';
import { HostTimelineSection } from '../../_live/host-timeline-section.tsx';
import { LiveRefresh } from '@/components/live-refresh.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { TimeText } from '@/components/time-text.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { diagnoseHostById } from '@/server/boot-doctor/queries.ts';
import { listEvents } from '@/server/events/queries.ts';
import { eventListQuery } from '@/server/events/schema.ts';
import { getHostOrThrow } from '@/server/hosts/queries.ts';
import { bootableImageChoices, networkChoices, roleChoices } from '../../_shared/choices.ts';
import { findOr404 } from '../../_shared/find-or-404.ts';

export const dynamic = 'force-dynamic';

const eventsShown = 50;
const findHost = (id: string) => findOr404(id, getHostOrThrow);

export const metadata = { title: 'Host · Fleetboot' };

export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  const host = await findHost(id);
  const [events, diagnosis, roles, networks, images] = await Promise.all([
    listEvents(eventListQuery.parse({ hostId: host.id, limit: eventsShown })),
    diagnoseHostById(host.id),
    roleChoices(),
    networkChoices(),
    bootableImageChoices(),
  ]);
  const canEdit = allows(actor, 'operator');

  return (
    <>
      <PageHeader
        title={host.hostname}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <HostStateBadge state={host.state} />
            {host.statePhase ? <span className="text-slate-500">phase {host.statePhase}</span> : null}
            {host.mac ? null : <WaitingForHardwareBadge />}
            <span>
              last seen <TimeText date={host.lastSeenAt} />
            </span>
          </span>
        }
        actions={
          <>
            <LiveRefresh hostId={host.id} afterSeq={events.items[0] ? String(events.items[0].seq) : undefined} />
            {canEdit ? <ConfirmDeleteButton path={`/api/v1/hosts/${host.id}`} what={`host ${host.hostname}`} redirectTo="/hosts" consequence="Its boot history goes too." /> : null}
          </>
        }
      />
      {host.mac ? null : (
        <p className="mb-4 rounded-md border border-dashed border-slate-400 bg-white px-4 py-3 text-sm text-slate-700">
          <strong className="font-semibold">Waiting for hardware.</strong> This host has no MAC address yet. It is claimed when an unknown machine
          boots into discovery and matches its serial, asset tag or BMC address, or when you enter the MAC below.
        </p>
      )}
      {canEdit ? null : <p className="mb-4 text-sm text-slate-600">You have view-only access ({actor.role}): nothing here can be changed.</p>}
      <HostLastBootSection hostId={host.id} />
      <HostPowerPanel hostId={host.id} hostname={host.hostname} hasBmc={Boolean(host.bmcAddress && host.bmcUser && host.hasBmcPassword)} canEdit={canEdit} />
      <div className="mb-6">
        <HostConsolePanel hostId={host.id} hostname={host.hostname} canOperate={canEdit} hasBmc={Boolean(host.bmcAddress && host.bmcUser && host.hasBmcPassword)} />
      </div>
      <div className="mb-6">
        <RecordedConsoles boots={await listRecordedBoots(host.id, 5)} />
      </div>
      {/* What stops a host booting comes before how far it got; a host that can boot shows its timeline first. */}
      {diagnosis.canBoot ? null : <BootDoctorPanel diagnosis={diagnosis} />}
      <HostTimelineSection hostId={host.id} />
      {diagnosis.canBoot ? <BootDoctorPanel diagnosis={diagnosis} /> : null}
      <div className="mb-6"><HostLogsPanel hostId={host.id} /></div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Panel title="Settings">
          <div className="p-4">
            <HostForm
              host={{
                id: host.id,
                hostname: host.hostname,
                mac: host.mac,
                ip: host.ip,
                ipv6: host.ipv6,
                networkId: host.networkId,
                roleId: host.roleId,
                bmcAddress: host.bmcAddress,
                bmcUser: host.bmcUser,
                hasBmcPassword: host.hasBmcPassword,
                serial: host.serial,
                assetTag: host.assetTag,
                spare: host.spare,
                bootEnabled: host.bootEnabled,
                bootOverride: host.bootOverride,
                imageOverrideId: host.imageOverrideId,
                notes: host.notes,
              }}
              roles={roles}
              networks={networks}
              images={images}
              readOnly={!canEdit}
            />
          </div>
        </Panel>
        <Panel title="Boot events" className="self-start">
          {events.items.length === 0 ? (
            <EmptyState title="No boot events yet">Events appear here as the host boots: DHCP, TFTP, kernel, initrd, root filesystem, up.</EmptyState>
          ) : (
            <BootEventList events={events.items} showHost={false} />
          )}
        </Panel>
      </div>
    </>
  );
}
