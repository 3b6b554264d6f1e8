// The Console panel on a host's page, in Chromium, over real IPMI Serial-over-LAN: OpenIPMI's
// ipmi_sim connected to a loopback serial line that plays the host. An operator connects,
// sees the host's lines in the xterm.js terminal and types into it (the keys reach the host);
// a viewer in another browser sees "in use by <operator>" and can't type; the page's CSP
// blocks nothing the terminal needs.
import { expect, request, test } from '@playwright/test';
import { ipmiSimSkipReason, startIpmiSim } from '../../server/power/testing/ipmi-sim-lab.ts';
import { startSerialLine } from '../../server/console/testing/serial-line.ts';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

test('an operator watches and types; a viewer sees who holds the console and can\'t type', async ({ page, browser, baseURL }) => {
  const skip = ipmiSimSkipReason();
  test.skip(skip !== null, skip ?? '');
  test.setTimeout(120_000);
  const line = await startSerialLine();
  const sim = await startIpmiSim({ solSerialPort: line.bmcPort });
  try {
    await line.bmcConnected(5_000);
    const api = await adminApi(baseURL);
    const hostname = uniqueName('sol');
    const host = await createVia(api, '/api/v1/hosts', { hostname, bmcAddress: sim.address, bmcUser: sim.user, bmcPassword: sim.password });
    const operator = uniqueName('op');
    const viewer = uniqueName('viewer');
    const password = `pw-${uniqueName('secret')}`;
    await createVia(api, '/api/v1/users', { username: operator, password, role: 'operator' });
    await createVia(api, '/api/v1/users', { username: viewer, password, role: 'viewer' });
    await api.dispose();

    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await signIn(page, operator, password);
    await page.goto(`/hosts/${host.id}`);
    const panel = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Console' }) });
    await expect(panel.getByTestId('console-status')).toHaveText('Not connected.');
    await panel.getByRole('button', { name: 'Connect' }).click();
    await expect(panel.getByTestId('console-status')).toContainText('you have the keyboard');
    line.write('SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\niPXE (https://ipxe.org) 00:03.0 CA00 PCI2.10 PnP PMM\r\n');
    const screen = panel.getByTestId('console-screen');
    await expect(screen).toContainText('SeaBIOS (version 1.16.2-debian-1.16.2-1)');
    await expect(screen).toContainText('iPXE (https://ipxe.org)');
    await screen.click();
    await page.keyboard.type('uname -a');
    await page.keyboard.press('Enter');
    await expect.poll(() => line.received()).toContain('uname -a\r');
    line.write('Linux rescue 6.1.0-28-amd64 #1 SMP x86_64 GNU/Linux\r\n');
    await expect(screen).toContainText('Linux rescue 6.1.0-28-amd64');
    await screen.screenshot({ path: test.info().outputPath('console-operator.png') });

    // The viewer signs in through the API (the login page is login.spec.ts's): its cookie in a second browser.
    const viewerApi = await request.newContext({ baseURL, extraHTTPHeaders: { origin: new URL(baseURL!).origin } });
    expect((await viewerApi.post('/api/v1/auth/login', { data: { username: viewer, password } })).status()).toBe(200);
    const other = await browser.newContext({ baseURL, storageState: await viewerApi.storageState() });
    await viewerApi.dispose();
    const viewerPage = await other.newPage();
    await viewerPage.goto(`/hosts/${host.id}`);
    const viewerPanel = viewerPage.locator('section').filter({ has: viewerPage.getByRole('heading', { name: 'Console' }) });
    await expect(viewerPanel.getByRole('button', { name: 'Power-cycle with PXE once' })).toHaveCount(0);
    await viewerPanel.getByRole('button', { name: 'Connect' }).click();
    await expect(viewerPanel.getByTestId('console-status')).toContainText(`in use by ${operator}`);
    // The recent screen is there for a late viewer.
    await expect(viewerPanel.getByTestId('console-screen')).toContainText('Linux rescue 6.1.0-28-amd64');
    await expect(viewerPanel.getByRole('button', { name: /Take/ })).toHaveCount(0);
    await viewerPanel.getByTestId('console-screen').click();
    await viewerPage.keyboard.type('halt');
    await viewerPage.keyboard.press('Enter');
    line.write('after the viewer typed\r\n');
    await expect(viewerPanel.getByTestId('console-screen')).toContainText('after the viewer typed');
    await expect(screen).toContainText('after the viewer typed');
    expect(line.received()).not.toContain('halt');
    await expect(page.getByTestId('console-status')).toContainText('2 watching');
    await other.close();
    expect(blocked, blocked.join('\n')).toEqual([]);
  } finally {
    await sim.stop();
    await line.stop();
  }
});
