// "Why didn't it boot?" as an operator meets it: the dashboard counts the hosts that can't boot
// by cause, the cause links to those hosts, the host's page says in words what stops it and
// what to try; once the role has an image, the same page says nothing stops it and shows the
// pxelinux config bootd will serve.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { adminApi, createVia, randomSubnet, signIn, uniqueName } from './console.ts';

async function activeImage(api: APIRequestContext, roleId: string): Promise<string> {
  const image = await createVia(api, '/api/v1/images', { roleId, version: '1' });
  for (const kind of ['kernel', 'initrd']) {
    const res = await api.put(`/api/v1/images/${image.id}/artifacts/${kind}`, { data: Buffer.from(`a ${kind}`) });
    expect(res.status(), await res.text()).toBe(200);
  }
  expect((await api.patch(`/api/v1/roles/${roleId}`, { data: { activeImageId: image.id, forceActivate: true } })).status()).toBe(200);
  return image.id;
}

test('a role without an image: counted on the dashboard, explained on the host page, fixed by an image', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const { cidr, prefix } = randomSubnet();
  const net = await createVia<{ id: string; name: string }>(api, '/api/v1/networks', { name: uniqueName('rack'), cidr, gateway: `${prefix}.1`, bootServer: `${prefix}.2`, poolStart: `${prefix}.100`, poolEnd: `${prefix}.150` });
  const role = await createVia<{ id: string; name: string }>(api, '/api/v1/roles', { name: uniqueName('db'), rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root' });
  const host = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('db'), mac: `52:54:00:${prefix.split('.').slice(1).map((n) => Number(n).toString(16).padStart(2, '0')).join(':')}:09`, networkId: net.id, roleId: role.id });

  await signIn(page);
  await page.goto('/');
  const fleet = page.getByTestId('fleet-doctor');
  await expect(fleet).toContainText('role has no active image');
  await page.screenshot({ path: 'test-results/boot-doctor-dashboard.png', fullPage: true });
  await fleet.getByRole('link', { name: /role has no active image/ }).click();
  await expect(page).toHaveURL(/\/doctor\?cause=role-without-image/);
  await page.getByRole('link', { name: host.hostname, exact: true }).click();

  await expect(page).toHaveURL(new RegExp(`/hosts/${host.id}`));
  const verdict = page.getByTestId('doctor-verdict');
  await expect(verdict).toContainText("It can't boot: role has no active image.");
  await expect(verdict).toContainText(`role ${role.name} has no active image`);
  await expect(verdict).toContainText('Try: Upload an image for the role and make it active');
  await expect(page.getByTestId('doctor-check-address')).toContainText(`a pool lease from ${net.name} (${prefix}.100–${prefix}.150)`);
  await page.screenshot({ path: 'test-results/boot-doctor-cannot-boot.png', fullPage: true });

  const imageId = await activeImage(api, role.id);
  await page.reload();
  await expect(page.getByTestId('doctor-verdict')).toContainText('Nothing in its settings stops it booting');
  await page.getByTestId('doctor-firmware-bios').locator('summary').click();
  await expect(page.getByTestId('doctor-firmware-bios')).toContainText('pxelinux.0');
  await expect(page.getByTestId('doctor-config-bios')).toContainText(`KERNEL images/${imageId}/kernel`);
  await page.screenshot({ path: 'test-results/boot-doctor-can-boot.png', fullPage: true });
});
