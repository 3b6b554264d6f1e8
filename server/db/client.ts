// The one Prisma client of the web process: client engine + node-postgres driver adapter
// (DESIGN.md "Decisions taken": works offline, no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { databaseConnectionOptions } from '../../lib/database-connection.ts';
import { ConnectionLossAwareClient } from './connection-loss.ts';

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (the supervisor sets it for the embedded PostgreSQL)');
  return url;
}

export function createPrismaClient(url = databaseUrl()): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10, ...databaseConnectionOptions, Client: ConnectionLossAwareClient }) });
}

const globalForPrisma = globalThis as unknown as { fleetbootPrisma?: PrismaClient };

/** Shared client; kept on globalThis so Next.js dev reloads don't open new pools. */
export function db(): PrismaClient {
  globalForPrisma.fleetbootPrisma ??= createPrismaClient();
  return globalForPrisma.fleetbootPrisma;
}
