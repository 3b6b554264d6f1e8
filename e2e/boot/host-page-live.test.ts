// The host page while its machine boots: Chromium opens /hosts/<id> (served by the real web
// process on the lab's own database) before the VM starts, then watches the Boot timeline fill
// in from the event stream — DHCP, then bootloader/kernel, then root fs, then up — without a
// reload (a marker set on window before the boot must survive to the end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { QemuLab, bootLabSkipReason } from './qemu-lab.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { startWebProcess, type WebProcess } from '../../server/testing/web-app.ts';

const buildMissing = !fs.existsSync(new URL('../../.next/BUILD_ID', import.meta.url)) ? 'no production build (run `npx next build`)' : null;
const chromiumMissing = !fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') ? 'Chromium is not installed (/usr/bin/chromium)' : null;
const skip = bootLabSkipReason() ?? buildMissing ?? chromiumMissing;
if (skip) console.log(`# host page live boot test skipped: ${skip}`);

const phases = ['dhcp', 'bootloader', 'kernel', 'initrd', 'rootfs', 'up'] as const;
type Snapshot = { t: number; statuses: Record<string, string> };

test('the host page shows the boot phases arrive live, without a reload, until up', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' } });
  let web: WebProcess | null = null;
  let browser: Browser | null = null;
  try {
    const mac = '52:54:00:6e:00:31';
    const hostId = await lab.addHost({ hostname: 'live01', mac, ip: '10.66.0.31' });
    const username = 'admin';
    const password = 'admin-password-for-live-test';
    await lab.pool.query(`INSERT INTO "User" (id, username, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin'::"UserRole", now())`, [username, await hashPassword(password)]);
    web = await startWebProcess(lab.db.url);
    await lab.startBootd();

    const res = await fetch(`${web.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    assert.equal(res.ok, true, `sign-in: ${res.status}`);
    const cookie = res.headers.get('set-cookie')?.split(';')[0];
    assert.ok(cookie, 'a session cookie');
    const eq = cookie.indexOf('=');

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: web.url }]);
    const page = await context.newPage();
    // Full page loads only: the page's LiveRefresh does soft router.refresh() calls (an RSC fetch
    // plus history.replaceState), which Playwright reports as same-document navigations.
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${web.url}/hosts/${hostId}`, { waitUntil: 'domcontentloaded' });
    assert.equal(new URL(page.url()).pathname, `/hosts/${hostId}`, 'the host page, not the login page');
    await page.getByTestId('timeline-empty').waitFor();
    await page.getByTestId('timeline-live').filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
    const loadsBefore = loads;
    const timeOrigin = await page.evaluate(() => performance.timeOrigin);

    // Before the boot: a marker on window, and an observer that records each phase's status
    // whenever the timeline changes (so the order in which they arrived can be checked).
    // (A string, not a function: tsx's keepNames would wrap inner functions in a __name() helper
    // that doesn't exist in the page.)
    await page.evaluate(`(() => {
      const names = ${JSON.stringify(phases)};
      window.__marker = 'set-before-boot';
      window.__snapshots = [];
      const section = document.querySelector('[data-testid="host-timeline"]');
      const record = () => {
        const statuses = {};
        for (const n of names) statuses[n] = document.querySelector('[data-testid="phase-' + n + '"]')?.getAttribute('data-status') ?? 'absent';
        const last = window.__snapshots.at(-1);
        if (!last || JSON.stringify(last.statuses) !== JSON.stringify(statuses)) window.__snapshots.push({ t: Date.now(), statuses });
      };
      new MutationObserver(record).observe(section, { subtree: true, childList: true, attributes: true, characterData: true });
      record();
    })()`);

    const vm = lab.startVm({ name: 'live01', mac, firmware: 'bios' });
    const started = Date.now();
    const seenAt: Record<string, number> = {};
    const reached = async (phase: string, statuses: string[]) => {
      await page.locator(statuses.map((s) => `[data-testid="phase-${phase}"][data-status="${s}"]`).join(', ')).waitFor({ timeout: 240_000 });
      seenAt[phase] = Date.now() - started;
    };
    const booting = ['current', 'done'];
    await reached('dhcp', booting);
    await reached('kernel', booting);
    await reached('rootfs', booting);
    await page.getByTestId('timeline-outcome').filter({ hasText: /^up$/ }).waitFor({ timeout: 240_000 });
    await reached('up', ['done']);
    console.log(`# host page: dhcp ${seenAt.dhcp} ms, kernel ${seenAt.kernel} ms, rootfs ${seenAt.rootfs} ms, up ${seenAt.up} ms after VM start (${lab.accel})`);
    await lab.waitForState(hostId, 'up', vm, 30_000);
    // The server-rendered header follows by a soft refresh (LiveRefresh, at most every 2 s).
    const headerLine = page.locator('span.flex-wrap', { hasText: 'last seen' }).first();
    await headerLine.getByText('up', { exact: true }).waitFor({ timeout: 20_000 }).catch(async (err) => {
      throw new Error(`the page header did not show up: "${await headerLine.textContent()}"`, { cause: err });
    });

    for (const p of phases) assert.equal(await page.getByTestId(`phase-${p}`).getAttribute('data-status'), 'done', `${p} is done on the page`);
    const shot = `/tmp/fleetboot-host-page-live-${process.pid}.png`;
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`# screenshot: ${shot}`);

    // No reload: the marker survived and the page never navigated again.
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __marker?: string }).__marker), 'set-before-boot', 'the page was not reloaded');
    assert.equal(loads, loadsBefore, 'no page load during the boot');
    assert.equal(await page.evaluate(() => performance.timeOrigin), timeOrigin, 'the same document throughout');

    // The phases arrived one after another: a snapshot where DHCP had begun but up had not, one
    // with the kernel begun and root fs not, and first appearances in boot order.
    const snapshots = await page.evaluate(() => (globalThis as unknown as { __snapshots: Snapshot[] }).__snapshots);
    const begun = (s: Snapshot, p: string) => s.statuses[p] === 'current' || s.statuses[p] === 'done';
    assert.ok(snapshots.length > 0 && !phases.some((p) => begun(snapshots[0]!, p)), `no phase before the boot: ${JSON.stringify(snapshots[0])}`);
    assert.ok(snapshots.some((s) => begun(s, 'dhcp') && !begun(s, 'rootfs')), 'DHCP shown before root fs');
    assert.ok(snapshots.some((s) => begun(s, 'kernel') && !begun(s, 'rootfs')), 'kernel phase shown before root fs');
    assert.ok(snapshots.some((s) => begun(s, 'rootfs') && s.statuses.up !== 'done'), 'root fs shown before up');
    const first = (p: string) => snapshots.findIndex((s) => begun(s, p));
    console.log(`# ${snapshots.length} timeline states; first shown at: ${phases.map((p) => `${p}#${first(p)}`).join(' ')}`);
    for (let i = 1; i < phases.length; i++) assert.ok(first(phases[i - 1]!) <= first(phases[i]!), `${phases[i - 1]} appeared no later than ${phases[i]}`);
    assert.ok(new Set(phases.map(first)).size >= 3, `phases arrived in several steps, not all at once: ${phases.map((p) => `${p}@${first(p)}`).join(' ')}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await web?.stop().catch(() => undefined);
    await lab.dispose();
  }
});
