// Host.state and Host.statePhase, written from boot sessions: the one writer of a host's live
// state. The event writer's batch statement writes it, and the stall watch (stalled, offline)
// sends its changes through the same statement (store/events.ts writeBatchSql). Every change is
// also recorded as a `bootd`/`host-state` boot event in the same transaction, so the console's
// live streams (SSE, resumable by seq) carry state changes in order with the events causing them.
import type { BootPhase } from '../../lib/boot-phase.ts';
import type { HostState } from '../../lib/host-states.ts';

/** What a host's state is while its latest session is in this shape. */
export function hostStateOfSession(phase: BootPhase, outcome: string | null): HostState {
  if (outcome === 'up' || outcome === 'failed' || outcome === 'stalled') return outcome;
  return phase === 'up' ? 'up' : 'booting';
}
