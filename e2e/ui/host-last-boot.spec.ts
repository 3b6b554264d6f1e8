// The host page as an operator meets a host that did not boot: it leads with the last boot's
// outcome, the phase and the agent's reason in full, what to try and the host's last log lines;
// the Logs panel follows the host's syslog as its real boot server (a loopback bootd registered
// as the network's boot server) keeps it; the Power panel drives a real BMC (OpenIPMI's ipmi_sim)
// and shows its answers. Events reach the database through bootd's real ingest path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { EventWriter } from '../../boot-services/events/event-writer.ts';
import { EventStore } from '../../boot-services/store/events.ts';
import { Metrics } from '../../boot-services/metrics.ts';
import { startLoopbackBootd } from '../../boot-services/testing/bootd-process.ts';
import { simulatedBootSteps } from '../../boot-services/testing/simulated-boot.ts';
import { ipmiSimSkipReason, startIpmiSim } from '../../server/power/testing/ipmi-sim-lab.ts';
import { adminApi, createVia, randomSubnet, signIn, uniqueName } from './console.ts';

const databaseUrl = process.env.FLEETBOOT_DATABASE_URL;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
test.skip(!databaseUrl, 'needs FLEETBOOT_DATABASE_URL (scripts/e2e-ui.sh sets it)');
test.skip(ipmiSimSkipReason() !== null, ipmiSimSkipReason() ?? '');

test('a failed boot: the reason in full first, the host\'s logs live, power through its BMC', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const api = await adminApi(baseURL);
  const sim = await startIpmiSim({ initialPower: 0 });
  const made = (await createVia<{ bootServer: { id: string; name: string }; credential: string }>(api, '/api/v1/boot-servers', { name: uniqueName('bootd'), site: 'rack L' }));
  const { cidr, prefix } = randomSubnet();
  const net = await createVia<{ id: string }>(api, '/api/v1/networks', { name: uniqueName('net'), cidr, gateway: `${prefix}.1`, bootServer: `${prefix}.2`, bootServerId: made.bootServer.id });
  const role = await createVia<{ id: string }>(api, '/api/v1/roles', { name: uniqueName('role') });
  const mac = `52:54:00:${prefix.split('.').slice(1).map((n) => Number(n).toString(16).padStart(2, '0')).join(':')}:31`;
  const host = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('web'), mac, ip: `${prefix}.31`, networkId: net.id, roleId: role.id, bmcAddress: sim.address, bmcUser: sim.user, bmcPassword: sim.password });
  const bootd = await startLoopbackBootd(databaseUrl!, { FLEETBOOT_BOOTD_NAME: made.bootServer.name, FLEETBOOT_BOOTD_CREDENTIAL: made.credential, FLEETBOOT_BOOTD_HEARTBEAT_MS: '300', FLEETBOOT_SERVICES: 'tftp,http,syslog', FLEETBOOT_SYSLOG_PORT: '0' });
  const pool = new pg.Pool({ connectionString: databaseUrl });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-e2e-lastboot-'));
  const writer = new EventWriter({ store: new EventStore(pool), stateDir, log: quiet, metrics: new Metrics(), flushIntervalMs: 50 });
  try {
    await bootd.waitForOutput(/syslog listening/);
    await expect.poll(async () => ((await (await api.get(`/api/v1/boot-servers/${made.bootServer.id}`)).json()) as { statusUrl: string | null }).statusUrl, { timeout: 30_000 }).toBe(`http://127.0.0.1:${bootd.adminPort}`);
    // The lines as bootd's syslog receiver keeps them (boot-services/syslog/host-log-files.ts).
    const logFile = path.join(bootd.stateDir, 'logs', `${host.hostname}.log`);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.writeFileSync(logFile, 'Dec  7 12:00:01 kernel: Linux version 6.1.0\nDec  7 12:00:09 fleetboot-agent: attempt 3 failed in rootfs: rootfs: checksum mismatch\n');
    let at = Date.now() - 60_000;
    for (const s of simulatedBootSteps({ hostId: host.id, mac, ip: `${prefix}.31`, fail: true })) writer.record({ ...s, at: new Date((at += 1000)) });
    await writer.flush();

    await signIn(page);
    await page.goto(`/hosts/${host.id}`);
    const lead = page.getByTestId('last-boot');
    await expect(lead).toHaveAttribute('data-outcome', 'failed');
    await expect(lead.getByTestId('last-boot-headline')).toContainText('Last boot failed in the root file system');
    await expect(lead.getByTestId('last-boot-reason')).toHaveText('Reason: rootfs: checksum mismatch');
    await expect(lead.getByTestId('last-boot-tries')).toContainText('does not match the image\'s checksum');
    await expect(lead.getByTestId('last-boot-logs')).toContainText('attempt 3 failed in rootfs');

    const logs = page.getByTestId('host-logs');
    await expect(logs.getByTestId('host-log-lines')).toContainText('kernel: Linux version 6.1.0');
    fs.appendFileSync(logFile, 'Dec  7 12:00:15 fleetboot-agent: rescue shell on tty1\n');
    await expect(logs.getByTestId('host-log-lines')).toContainText('rescue shell on tty1', { timeout: 15_000 });
    await page.screenshot({ path: 'test-results/host-last-boot-failed.png', fullPage: true });

    const power = page.getByTestId('host-power');
    const answer = power.getByTestId('host-power-answer');
    await power.getByRole('button', { name: 'Status' }).click();
    await expect(answer).toHaveText('BMC: power is off');
    await power.getByRole('button', { name: 'Power on' }).click();
    await expect(answer).toHaveText('BMC: the BMC took it: on');
    expect(sim.power()).toBe(1);
    await power.getByRole('button', { name: 'PXE once' }).click();
    await expect(answer).toContainText('the next boot is from the network');
    expect(sim.bootDevice()).toBe('pxe');
    page.once('dialog', (d) => void d.accept());
    await power.getByRole('button', { name: 'Power off' }).click();
    await expect(answer).toHaveText('BMC: the BMC took it: off');
    await power.getByRole('button', { name: 'Status' }).click();
    await expect(answer).toHaveText('BMC: power is off');
    await page.screenshot({ path: 'test-results/host-last-boot-power.png', fullPage: true });
  } finally {
    await writer.close();
    await pool.end();
    fs.rmSync(stateDir, { recursive: true, force: true });
    await bootd.stop();
    await sim.stop();
    await api.dispose();
  }
});

test('a host without a BMC says what power needs; a boot that is up leads with up', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const role = await createVia<{ id: string }>(api, '/api/v1/roles', { name: uniqueName('role') });
  const mac = `52:54:00:${Array.from({ length: 3 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join(':')}`;
  const host = await createVia<{ id: string }>(api, '/api/v1/hosts', { hostname: uniqueName('db'), mac, roleId: role.id });
  const pool = new pg.Pool({ connectionString: databaseUrl });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-e2e-lastboot-'));
  const writer = new EventWriter({ store: new EventStore(pool), stateDir, log: quiet, metrics: new Metrics(), flushIntervalMs: 50 });
  try {
    await signIn(page);
    await page.goto(`/hosts/${host.id}`);
    await expect(page.getByTestId('last-boot')).toHaveAttribute('data-outcome', 'none');
    await expect(page.getByTestId('host-power')).toContainText('No BMC: enter its BMC address, user and password');
    // Both streams connected (the page's refresh and the timeline's) before the boot's events go in.
    await expect(page.getByTitle('Updates as hosts boot')).toBeVisible();
    await expect(page.getByTestId('timeline-live')).toHaveText('● live');
    let at = Date.now() - 60_000;
    for (const s of simulatedBootSteps({ hostId: host.id, mac })) writer.record({ ...s, at: new Date((at += 1000)) });
    await writer.flush();
    // The page follows the event stream: the lead changes without a reload.
    await expect(page.getByTestId('last-boot')).toHaveAttribute('data-outcome', 'up', { timeout: 15_000 });
    await expect(page.getByTestId('last-boot-headline')).toContainText(/Last boot came up in \d/);
    await expect(page.getByTestId('last-boot-reason')).toHaveCount(0);
  } finally {
    await writer.close();
    await pool.end();
    fs.rmSync(stateDir, { recursive: true, force: true });
    await api.dispose();
  }
});
