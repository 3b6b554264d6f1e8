// Wires the boot agent API into bootd: its routes for startHttpService and the one-shot
// override clearer, closed (flushed) with the other services on shutdown.
import type { BootdContext, RunningService } from '../bootd-context.ts';
import type { HttpRoute } from '../http/service.ts';
import { bootApiRoutes } from './boot-api.ts';
import { OneShotOverrideClearer } from './one-shot-override.ts';
import type { AgentRecords } from '../store/agent-records.ts';
import type { DiscoverySink } from '../store/discovery.ts';
import type { RefusalSummary } from '../events/refusal-summary.ts';

/** What the agent API keeps in PostgreSQL (boot-services/store/). */
export interface AgentStores {
  records: AgentRecords;
  discovery: DiscoverySink;
}

/** `refusals` is bootd's one refusal counter (main.ts), shared with the status endpoint. */
export function createBootAgentApi(ctx: BootdContext, stores: AgentStores, refusals: RefusalSummary): RunningService & { routes: HttpRoute[] } {
  const oneShot = new OneShotOverrideClearer({ table: stores.records, log: ctx.log, metrics: ctx.metrics });
  return {
    name: 'agent-api',
    routes: bootApiRoutes({ ctx, oneShot, checks: stores.records, discovery: stores.discovery, refusals }),
    close: () => oneShot.close(),
  };
}
