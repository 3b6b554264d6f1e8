// Who is acting: a signed-in user or an API token, with the role that decides what it may do.
import type { UserRole } from '@prisma/client';
import { forbidden } from '../errors.ts';

export type Role = UserRole;

/** The roles, most powerful first (forms and API schemas list them in this order). */
export const userRoles = ['admin', 'operator', 'viewer'] as const satisfies readonly Role[];

export interface Actor {
  kind: 'user' | 'token';
  userId: string;
  username: string;
  role: Role;
  tokenId?: string;
  tokenName?: string;
  /** a token's own expiry: a token can't make a token that outlives it */
  tokenExpiresAt?: Date;
}

export const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function allows(actor: Actor, needed: Role): boolean {
  return rank[actor.role] >= rank[needed];
}

export function requireRole(actor: Actor, needed: Role): void {
  if (!allows(actor, needed)) throw forbidden(`this needs the ${needed} role; ${actor.username} is ${actor.role}`);
}

/** How the audit log names the actor: "alice" or "token:deploy-script (alice)". */
export function actorLabel(actor: Actor): string {
  return actor.kind === 'user' ? actor.username : `token:${actor.tokenName ?? actor.tokenId} (${actor.username})`;
}
