// The web process: Next.js (console + /api/v1) in a plain Node HTTP server, so it can exit
// when its supervisor is gone, report a port already in use clearly, and answer `/healthz` and
// a clear 503 while PostgreSQL is away (server/api/database-gate.ts), recovering by itself.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { exitWhenParentDies } from '../boot-services/parent-watch.ts';
import { answerFromDatabaseGate } from '../server/api/database-gate.ts';
import { DatabaseWatch } from '../server/db/availability.ts';
import { databaseUrl } from '../server/db/client.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.FLEETBOOT_PORT ?? 3000);
const host = process.env.FLEETBOOT_HOST ?? '0.0.0.0';

const app = next({ dev: false, dir: root, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();
const database = new DatabaseWatch({ databaseUrl: databaseUrl(), log: (line) => console.log(line) });
await database.start();
const server = http.createServer((req, res) => {
  if (!answerFromDatabaseGate(req, res, database.status())) void handle(req, res);
});

async function listen(): Promise<void> {
  // Right after a crash the old process may hold the port for a moment: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) {
        console.error(`cannot listen on ${host}:${port}: ${(err as Error).message}${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ' (set FLEETBOOT_PORT to use another port)' : ''}`);
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
await listen();
console.log(`web listening on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`);

const shutdown = () => {
  void database.stop();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
exitWhenParentDies(() => process.exit(0));
