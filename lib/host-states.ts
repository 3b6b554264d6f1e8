// A host's live state, in the operator's words, in the order the console lists them. The one
// list: the Prisma enum HostState holds the same words (server/hosts/host-states.test.ts fails
// when they differ), and the fleet snapshot encodes a state as its index here (fleet-wire.ts).

export const hostStates = ['registered', 'discovered', 'booting', 'up', 'failed', 'stalled', 'offline'] as const;
export type HostState = (typeof hostStates)[number];

export function isHostState(word: string): word is HostState {
  return (hostStates as readonly string[]).includes(word);
}
