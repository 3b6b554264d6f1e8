// Runs an embedded PostgreSQL for a test run (scripts/with-test-db.sh): writes the socket URL and
// the TCP URL to the info file once ready, stops the cluster on SIGTERM/SIGINT.
import fs from 'node:fs';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts';

// [listen addresses] [client networks], comma-separated: for a lab whose bootd reach it over TCP.
const [dataDir, infoFile, listen, clients] = process.argv.slice(2);
if (!dataDir || !infoFile) throw new Error('usage: test-db-server.ts <dataDir> <infoFile> [listenAddresses clientNetworks]');
const list = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);
const server = await startEmbeddedPostgres({ dataDir, port: 55500 + Math.floor(Math.random() * 400), listenAddresses: list(listen), clientNetworks: list(clients), log: () => undefined });
const admin = (u: string) => {
  const url = new URL(u);
  url.pathname = '/postgres';
  return url.toString();
};
fs.writeFileSync(infoFile, `${admin(server.socketUrl)}\n${admin(server.url)}\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.process.on('exit', () => process.exit(1));
