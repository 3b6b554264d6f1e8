// Watching a host boot: its page's timeline and the fleet view follow the boot while its events
// arrive through bootd's real ingest path (EventWriter into the console's database), a step at
// a time, the way a PXE boot produces them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { EventWriter } from '../../boot-services/events/event-writer.ts';
import { EventStore } from '../../boot-services/store/events.ts';
import { Metrics } from '../../boot-services/metrics.ts';
import { midTransferIndex, simulatedBootSteps } from '../../boot-services/testing/simulated-boot.ts';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

const databaseUrl = process.env.FLEETBOOT_DATABASE_URL;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function randomMac(): string {
  return ['52', '54', '00', ...Array.from({ length: 3 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0'))].join(':');
}

async function bootdIngest() {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-e2e-events-'));
  const writer = new EventWriter({ store: new EventStore(pool), stateDir, log: quiet, metrics: new Metrics(), flushIntervalMs: 50 });
  return {
    writer,
    async close() {
      await writer.close();
      await pool.end();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

test.skip(!databaseUrl, 'needs FLEETBOOT_DATABASE_URL (scripts/e2e-ui.sh sets it)');

test("the host page's timeline follows a boot live, phase by phase, with transfer progress", async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const role = await createVia(api, '/api/v1/roles', { name: uniqueName('role') });
  const mac = randomMac();
  const host = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('node'), mac, roleId: role.id });
  const ingest = await bootdIngest();
  try {
    await signIn(page);
    await page.goto(`/hosts/${host.id}`);
    const timeline = page.getByTestId('host-timeline');
    await expect(timeline.getByTestId('timeline-empty')).toBeVisible();
    await expect(timeline.getByTestId('timeline-live')).toHaveText('● live');

    const steps = simulatedBootSteps({ hostId: host.id, mac });
    const midKernel = midTransferIndex(steps, 'kernel');
    let at = Date.now() - 60_000;
    const send = (from: number, to: number) => {
      for (const s of steps.slice(from, to)) ingest.writer.record({ ...s, at: new Date((at += 1000)) });
    };
    send(0, midKernel);
    await expect(timeline.getByTestId('phase-dhcp')).toHaveAttribute('data-status', 'done');
    await expect(timeline.getByTestId('phase-kernel')).toHaveAttribute('data-status', 'current');
    await expect(timeline.getByTestId('timeline-outcome')).toHaveText('booting');
    const kernelBar = timeline.getByTestId('phase-kernel').getByRole('progressbar');
    await expect(kernelBar).toHaveAttribute('aria-valuenow', '25');

    send(midKernel, steps.length);
    await expect(timeline.getByTestId('phase-kernel')).toHaveAttribute('data-status', 'done');
    await expect(kernelBar).toHaveAttribute('aria-valuenow', '100');
    await expect(timeline.getByTestId('phase-up')).toHaveAttribute('data-status', 'done');
    await expect(timeline.getByTestId('timeline-outcome')).toHaveText('up');

    // The next boot: the finished one moves to the comparison table.
    send(0, 4);
    await expect(timeline.getByTestId('timeline-outcome')).toHaveText('booting');
    await expect(timeline.getByTestId('previous-boots').locator('tbody tr')).toHaveCount(2);
    await expect(timeline.getByTestId('previous-boots').locator('tbody tr').nth(1)).toContainText('up');
  } finally {
    await ingest.close();
    await api.dispose();
  }
});

test('the fleet view shows each host in its state and updates tiles and counts live', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const roleName = uniqueName('fleetrole');
  const role = await createVia(api, '/api/v1/roles', { name: roleName });
  const hosts: Array<{ id: string; hostname: string; mac: string }> = [];
  for (let i = 0; i < 3; i++) {
    const mac = randomMac();
    hosts.push({ ...(await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('fleet'), mac, roleId: role.id })), mac });
  }
  const ingest = await bootdIngest();
  try {
    await signIn(page);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Fleet' }).click();
    await expect(page.getByRole('heading', { name: 'Fleet', level: 1 })).toBeVisible();
    await expect(page.getByTestId('fleet-live')).toHaveText('● live');
    const group = page.getByRole('region', { name: `Role ${roleName}` });
    const tile = (h: { hostname: string }) => group.getByRole('link', { name: new RegExp(`^${h.hostname}`) });
    for (const h of hosts) await expect(tile(h)).toHaveAttribute('data-s', 'registered');

    let at = Date.now() - 60_000;
    const record = (h: (typeof hosts)[number], steps: ReturnType<typeof simulatedBootSteps>) => {
      for (const s of steps) ingest.writer.record({ ...s, at: new Date((at += 500)) });
      void h;
    };
    const [a, b, c] = hosts as [typeof hosts[0], typeof hosts[0], typeof hosts[0]];
    const bootA = simulatedBootSteps({ hostId: a.id, mac: a.mac });
    record(a, bootA.slice(0, midTransferIndex(bootA, 'initrd')));
    await expect(tile(a)).toHaveAttribute('data-s', 'booting');
    await expect(tile(a)).toContainText('booting · initrd');
    record(a, bootA.slice(midTransferIndex(bootA, 'initrd')));
    record(b, simulatedBootSteps({ hostId: b.id, mac: b.mac, fail: true }));
    await expect(tile(a)).toHaveAttribute('data-s', 'up');
    await expect(tile(a)).toContainText('up');
    await expect(tile(b)).toHaveAttribute('data-s', 'failed');
    await expect(tile(b)).toContainText('failed');
    await expect(tile(c)).toHaveAttribute('data-s', 'registered');
    // Other tests' hosts boot meanwhile (and get tiles live): the count follows the tiles.
    await expect(async () => {
      const up = Number((await page.getByTestId('fleet-count-up').locator('[data-count]').textContent())!.replace(/,/g, ''));
      expect(up).toBeGreaterThanOrEqual(1);
      expect(up).toBe(await page.locator('.fleet-tiles a[data-s="up"]').count());
    }).toPass();

    // Filter by state, then open a host from its tile.
    await page.getByTestId('fleet-count-failed').click();
    await expect(tile(a)).toBeHidden();
    await expect(tile(b)).toBeVisible();
    await tile(b).click();
    await expect(page.getByRole('heading', { name: b.hostname })).toBeVisible();
  } finally {
    await ingest.close();
    await api.dispose();
  }
});

test('a host added after the fleet view loaded gets its tile live, without a reload', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const roleName = uniqueName('newrole');
  const ingest = await bootdIngest();
  try {
    await signIn(page);
    await page.goto('/fleet');
    await expect(page.getByTestId('fleet-live')).toHaveText('● live');
    // Both the role and the host are new to the page.
    const role = await createVia(api, '/api/v1/roles', { name: roleName });
    const mac = randomMac();
    const host = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('late'), mac, roleId: role.id });
    const steps = simulatedBootSteps({ hostId: host.id, mac });
    let at = Date.now() - 60_000;
    for (const s of steps.slice(0, midTransferIndex(steps, 'kernel'))) ingest.writer.record({ ...s, at: new Date((at += 500)) });
    const tile = page.getByRole('region', { name: `Role ${roleName}` }).getByRole('link', { name: new RegExp(`^${host.hostname}`) });
    await expect(tile).toHaveAttribute('data-s', 'booting');
    await expect(tile).toContainText('booting · kernel');
    await expect(tile).toHaveAttribute('href', `/hosts/${host.id}`);
  } finally {
    await ingest.close();
    await api.dispose();
  }
});
