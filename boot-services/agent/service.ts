// Wires the boot agent API into bootd: its routes for startHttpService and the one-shot
// override clearer, closed (flushed) with the other services on shutdown.
import type { BootdContext, RunningService } from '../bootd-context.ts';
import type { HttpRoute } from '../http/service.ts';
import { bootApiRoutes } from './boot-api.ts';
import { OneShotOverrideClearer } from './one-shot-override.ts';

export function createBootAgentApi(ctx: BootdContext): RunningService & { routes: HttpRoute[] } {
  const oneShot = new OneShotOverrideClearer({ pool: ctx.pool, log: ctx.log, metrics: ctx.metrics });
  return { name: 'agent-api', routes: bootApiRoutes({ ctx, oneShot }), close: () => oneShot.close() };
}
