// Starts the web app on a test database, runs Playwright against it, records the counts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestWebApp, testAdmin } from '../server/testing/web-app.ts';

const app = await startTestWebApp('ui');
const report = path.join(os.tmpdir(), `fb-playwright-${process.pid}.json`);
let code = 1;
try {
  code = await new Promise<number>((resolve) => {
    const child = spawn('npx', ['playwright', 'test', '--reporter=list,json', ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, FLEETBOOT_URL: app.url, FLEETBOOT_ADMIN_USER: testAdmin.username, FLEETBOOT_ADMIN_PASSWORD: testAdmin.password, PLAYWRIGHT_JSON_OUTPUT_NAME: report, FLEETBOOT_DATABASE_URL: app.db.url },
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
} finally {
  await app.stop();
}
let passed = 0;
let failed = code === 0 ? 0 : 1;
try {
  const stats = (JSON.parse(fs.readFileSync(report, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number } }).stats;
  passed = stats.expected + stats.flaky;
  failed = stats.unexpected + (code !== 0 && stats.unexpected === 0 ? 1 : 0);
} catch {
  console.error('no Playwright report was written');
}
fs.rmSync(report, { force: true });
console.log(`[ui] ${passed} passed, ${failed} failed`);
if (process.env.FLEETBOOT_TEST_COUNTS) fs.appendFileSync(process.env.FLEETBOOT_TEST_COUNTS, `ui ${passed} ${failed}\n`);
process.exit(code);
