// The image lifecycle through the API: stage on a spare, watch the gate, promote (+ rollout),
// pause/resume/abort a rollout, roll back a role.
import { apiRoute, queryObject, readJson } from '../handler.ts';
import { promoteInput, rollbackInput, rolloutListQuery, stageInput } from '../../lifecycle/schema.ts';
import { cancelStage, getStageOrThrow, listImageStages, stageImage } from '../../lifecycle/stage.ts';
import { controlRollout, getRolloutOrThrow, listRollouts, promoteImage, rollbackRole } from '../../lifecycle/rollout.ts';

/** An empty body means "all defaults" for these actions (a button that sends nothing). */
async function readOptionalJson(req: Request): Promise<unknown> {
  if (req.headers.get('content-length') === '0' || !req.headers.get('content-type')) return {};
  return readJson(req);
}

export const stageImageRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => stageImage(actor, params.id, stageInput.parse(await readOptionalJson(req))), { status: 201 });
export const imageStagesRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => listImageStages(params.id));
export const getStageRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getStageOrThrow(params.id));
export const cancelStageRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => cancelStage(actor, params.id));
export const promoteImageRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => promoteImage(actor, params.id, promoteInput.parse(await readOptionalJson(req)).rollout));
export const rollbackRoleRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => rollbackRole(actor, params.id, rollbackInput.parse(await readOptionalJson(req)).rollout));
export const listRolloutsRoute = apiRoute('viewer', async ({ url }) => listRollouts(rolloutListQuery.parse(queryObject(url))));
export const getRolloutRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getRolloutOrThrow(params.id));
export const pauseRolloutRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => controlRollout(actor, params.id, 'pause'));
export const resumeRolloutRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => controlRollout(actor, params.id, 'resume'));
export const abortRolloutRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => controlRollout(actor, params.id, 'abort'));
