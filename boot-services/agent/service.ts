// Wires the boot agent API into bootd: its routes for startHttpService and the host state
// writer, closed (flushed) with the other services on shutdown.
import type { BootdContext, RunningService } from '../bootd-context.ts';
import type { HttpRoute } from '../http/service.ts';
import { bootApiRoutes } from './boot-api.ts';
import { HostStateWriter } from './host-state.ts';

export function createBootAgentApi(ctx: BootdContext): RunningService & { routes: HttpRoute[] } {
  const hostState = new HostStateWriter({ pool: ctx.pool, log: ctx.log, metrics: ctx.metrics });
  return { name: 'agent-api', routes: bootApiRoutes({ ctx, hostState }), close: () => hostState.close() };
}
