import { cookies } from 'next/headers';
import { apiRoute, readJson } from '../handler.ts';
import { errorResponse, json } from '../respond.ts';
import { requireSameOrigin } from '../../auth/same-origin.ts';
import { requestClientAddress } from '../../auth/client-address.ts';
import { consolePathOr } from '../../../lib/console-path.ts';
import { sessionCookieName, sessionSeconds, signIn, signOut, startSession } from '../../auth/sessions.ts';
import { listSignInThrottles, unlockSignInThrottle } from '../../sign-in-throttles/queries.ts';
import { consoleSettingsUpdate } from '../../settings/schema.ts';
import { getConsoleSettings, updateConsoleSettings } from '../../settings/queries.ts';
import { passwordChange, signInInput, userCreate, userUpdate } from '../../users/schema.ts';
import { changeOwnPassword, createUser, listUsers, updateUser } from '../../users/queries.ts';
import { tokenCreate } from '../../tokens/schema.ts';
import { createToken, listTokens, revokeToken } from '../../tokens/queries.ts';

export async function signInRoute(req: Request): Promise<Response> {
  try {
    // Login CSRF (signing a victim's browser in as someone else): a browser's sign-in must come
    // from our login page; a script sends neither header and carries no session to abuse.
    requireSameOrigin(req, { unprovenAllowed: true });
    const input = signInInput.parse(await readJson(req));
    const { secret, actor } = await signIn(input.username, input.password, requestClientAddress(req));
    await setSessionCookie(req, secret);
    return json({ username: actor.username, role: actor.role, next: consolePathOr(input.next) });
  } catch (err) {
    return errorResponse(err);
  }
}

async function setSessionCookie(req: Request, secret: string): Promise<void> {
  const store = await cookies();
  store.set(sessionCookieName, secret, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: sessionSeconds,
    secure: req.headers.get('x-forwarded-proto') === 'https' || new URL(req.url).protocol === 'https:',
  });
}

/** Any role changes its own password; every session and token ends, this browser gets a new session. */
export const changePasswordRoute = apiRoute('viewer', async ({ req, actor }) => {
  await changeOwnPassword(actor, passwordChange.parse(await readJson(req)), requestClientAddress(req));
  await setSessionCookie(req, (await startSession(actor.userId)).secret);
});

export const getSettingsRoute = apiRoute('viewer', async () => getConsoleSettings());
export const updateSettingsRoute = apiRoute('admin', async ({ req, actor }) => updateConsoleSettings(actor, consoleSettingsUpdate.parse(await readJson(req))));
export const listSignInThrottlesRoute = apiRoute('admin', async () => ({ items: await listSignInThrottles() }));
export const unlockSignInThrottleRoute = apiRoute<{ id: string }>('admin', async ({ actor, params }) => unlockSignInThrottle(actor, params.id));

export async function signOutRoute(req: Request): Promise<Response> {
  try {
    requireSameOrigin(req);
  } catch (err) {
    return errorResponse(err);
  }
  const store = await cookies();
  const secret = store.get(sessionCookieName)?.value;
  if (secret) await signOut(secret);
  store.delete(sessionCookieName);
  return new Response(null, { status: 204 });
}

export const whoAmIRoute = apiRoute('viewer', async ({ actor }) => ({ username: actor.username, role: actor.role, kind: actor.kind }));
export const listUsersRoute = apiRoute('admin', async () => ({ items: await listUsers() }));
export const createUserRoute = apiRoute('admin', async ({ req, actor }) => createUser(actor, userCreate.parse(await readJson(req))), { status: 201 });
export const updateUserRoute = apiRoute<{ id: string }>('admin', async ({ req, actor, params }) => updateUser(actor, params.id, userUpdate.parse(await readJson(req))));
export const listTokensRoute = apiRoute('viewer', async ({ actor }) => ({ items: await listTokens(actor) }));
export const createTokenRoute = apiRoute('viewer', async ({ req, actor }) => createToken(actor, tokenCreate.parse(await readJson(req))), { status: 201 });
export const revokeTokenRoute = apiRoute<{ id: string }>('viewer', async ({ actor, params }) => revokeToken(actor, params.id));
