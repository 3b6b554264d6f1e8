// The web process: Next.js (console + /api/v1) in a plain Node HTTP server, so it can exit
// when its supervisor is gone, report a port already in use clearly, and answer `/healthz` and
// a clear 503 while PostgreSQL is away (server/api/database-gate.ts), recovering by itself.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { exitWhenParentDies } from '../boot-services/parent-watch.ts';
import { apiContentSecurityPolicy, staticSecurityHeaders } from '../lib/security-headers.ts';
import { answerFromDatabaseGate } from '../server/api/database-gate.ts';
import { clientAddressHeader, clientAddressOf, trustedProxies } from '../server/auth/client-address.ts';
import { createBootConsoleRecorder, createHostConsoles } from '../server/console/console-service.ts';
import { consoleUpgradeHandler } from '../server/console/console-socket.ts';
import { DatabaseWatch } from '../server/db/availability.ts';
import { DatabaseClusterReader, patroniUrls } from '../server/db/database-cluster.ts';
import { databaseUrl } from '../server/db/client.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.FLEETBOOT_PORT ?? 3000);
const host = process.env.FLEETBOOT_HOST ?? '0.0.0.0';

const app = next({ dev: false, dir: root, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();
const database = new DatabaseWatch({ databaseUrl: databaseUrl(), log: (line) => console.log(line) });
await database.start();
const cluster = new DatabaseClusterReader({ databaseUrl: databaseUrl() });
const clusterFromPatroni = patroniUrls().length > 0;
const proxies = trustedProxies();
const server = http.createServer((req, res) => {
  // Every answer (pages, API, static files, errors, the 503 while the database is away) carries
  // these; pages get their nonce CSP from proxy.ts, everything else the policy that allows nothing.
  for (const { key, value } of staticSecurityHeaders) res.setHeader(key, value);
  if (!isPagePath(req.url ?? '/')) res.setHeader('Content-Security-Policy', apiContentSecurityPolicy);
  req.headers[clientAddressHeader] = clientAddressOf(req.socket.remoteAddress, req.headers['x-forwarded-for'], proxies);
  void answer(req, res);
});

async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const status = database.status();
  // /healthz shows the replication state; a 503 reads it (from Patroni only: PostgreSQL itself
  // is what is away) to say "failing over". One read per 2 s at most, each bounded to 2 s.
  const withCluster = (req.url ?? '').split('?')[0] === '/healthz' || (status.state === 'down' && clusterFromPatroni);
  const state = withCluster ? await cluster.read() : null;
  if (!answerFromDatabaseGate(req, res, status, state)) void handle(req, res);
}

// Hosts' serial consoles (WebSocket upgrades on /api/v1/hosts/{id}/console); Next.js serves
// no WebSocket in production, so every other upgrade is ended.
const consoles = createHostConsoles();
const consoleSocket = consoleUpgradeHandler(consoles);
const bootConsoles = createBootConsoleRecorder(consoles);
bootConsoles.start();
server.on('upgrade', (req, socket, head) => {
  consoleSocket.handleUpgrade(req, socket, head).then(
    (handled) => handled || socket.destroy(),
    () => socket.destroy(),
  );
});

/** What proxy.ts's matcher sends through it (a page): not the API, not Next's static files. */
function isPagePath(url: string): boolean {
  return !/^\/(api\/|_next\/static\/|_next\/image|icon\.svg)/.test(url);
}

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
  consoleSocket.closeAll();
  void bootConsoles.stop().then(() => consoles.closeAll());
  server.close(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
exitWhenParentDies(() => process.exit(0));
