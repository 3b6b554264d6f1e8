// Pages read the signed-in user from the session cookie; no session → the login page.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { Actor } from './actor.ts';
import { findActorBySession, sessionCookieName } from './sessions.ts';

export async function currentActor(): Promise<Actor | null> {
  const store = await cookies();
  return findActorBySession(store.get(sessionCookieName)?.value);
}

export async function requirePageActor(): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect('/login');
  return actor;
}
