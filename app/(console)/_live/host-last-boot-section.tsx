// The host page's lead: the last boot's story from its events (server), with the host's last log
// lines streamed in when its boot server answers, so a slow bootd never holds the page back.
import { Suspense } from 'react';
import { LastBootPanel, LastLogLines } from '@/components/last-boot-panel.tsx';
import { describeLastBoot } from '@/components/timeline/last-boot.ts';
import { getHostTimeline } from '@/server/events/timeline.ts';
import { readHostLogTail } from '@/server/logs/queries.ts';

const logLinesShown = 8;

async function HostLastLogLines({ hostId }: { hostId: string }) {
  return <LastLogLines lines={await readHostLogTail(hostId, logLinesShown)} />;
}

export async function HostLastBootSection({ hostId }: { hostId: string }) {
  const timeline = await getHostTimeline(hostId, 1);
  return (
    <LastBootPanel
      story={describeLastBoot(timeline.sessions[0])}
      logLines={
        <Suspense fallback={<p className="text-xs opacity-75">Asking its boot server for its last log lines…</p>}>
          <HostLastLogLines hostId={hostId} />
        </Suspense>
      }
    />
  );
}
