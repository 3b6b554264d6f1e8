// The boot server registry's one timing both sides agree on: bootd heartbeats this often, and
// the console judges it gone after a few missed beats (server/boot-servers/health.ts).
export const bootServerHeartbeatSeconds = 10;
