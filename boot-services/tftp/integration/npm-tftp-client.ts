// Fetches one file with the npm `tftp` package's client (its defaults negotiate blksize 1468
// and windowsize 4): one more independent client implementation for the interop suite.
// Usage: npm-tftp-client.ts <server> <port> <remote> <local>
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tftp = require('tftp') as {
  createClient(o: { host: string; port: number; blockSize?: number; windowSize?: number; retries?: number; timeout?: number }): {
    get(remote: string, local: string, cb: (err?: Error) => void): void;
  };
};
const [server, port, remote, local] = process.argv.slice(2);
if (!server || !port || !remote || !local) throw new Error('usage: npm-tftp-client.ts <server> <port> <remote> <local>');
tftp.createClient({ host: server, port: Number(port), blockSize: 1468, windowSize: 4, retries: 3, timeout: 3000 }).get(remote, local, (err) => {
  if (err) {
    console.error(`tftp client: ${err.message}`);
    process.exit(1);
  }
  process.exit(0);
});
