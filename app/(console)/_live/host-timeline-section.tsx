// The host page's live boot timeline: loads the latest boots (server) for the client timeline.
import { HostTimeline } from '@/components/timeline/host-timeline.tsx';
import { getHostTimeline } from '@/server/events/timeline.ts';

export async function HostTimelineSection({ hostId }: { hostId: string }) {
  const timeline = await getHostTimeline(hostId);
  return <HostTimeline initial={timeline} />;
}
