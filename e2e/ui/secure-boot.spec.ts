// Secure Boot in the console: the role form explains what the Secure Boot chain needs; an
// image whose kernel is unsigned says so and, for a Secure Boot role, warns that Secure Boot
// would refuse it (on the image and on the role); a kernel signed by Debian's key shows its
// signer and the certificate shim trusts it through. Real EFI binaries from Debian packages:
// iPXE's (unsigned) and the signed network GRUB (signed by Debian's key, like its kernels).
import fs from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

const unsignedEfi = '/usr/lib/ipxe/ipxe.efi';
const debianSignedEfi = '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed';
const missing = [unsignedEfi, debianSignedEfi, '/usr/lib/shim/shimx64.efi.signed'].find((f) => !fs.existsSync(f));
test.skip(missing !== undefined, `${missing} is missing (ipxe, grub-efi-amd64-signed, shim-signed)`);

async function imageWithKernel(api: APIRequestContext, roleId: string, version: string, kernel: string): Promise<string> {
  const image = await createVia(api, '/api/v1/images', { roleId, version });
  for (const [kind, data] of [['kernel', fs.readFileSync(kernel)], ['initrd', Buffer.from('an initrd')]] as const) {
    const res = await api.put(`/api/v1/images/${image.id}/artifacts/${kind}`, { data });
    expect(res.status(), await res.text()).toBe(200);
  }
  return image.id;
}

test('a Secure Boot role: the form says what it needs, unsigned kernels are flagged, Debian-signed ones pass', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  // An nfs role: kernel + initrd make an image ready (a candidate the role page checks).
  const role = await createVia(api, '/api/v1/roles', { name: uniqueName('sb'), rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root' });
  const unsigned = await imageWithKernel(api, role.id, 'unsigned-1', unsignedEfi);
  const signed = await imageWithKernel(api, role.id, 'debian-2', debianSignedEfi);

  await signIn(page);
  await page.goto(`/roles/${role.id}`);
  const chain = page.getByLabel('UEFI boot chain');
  await expect(chain).toHaveValue('ipxe');
  await expect(page.getByText(/ipxe\.efi, which is unsigned: their firmware must have Secure Boot off/)).toBeVisible();
  await chain.selectOption('secure_boot');
  await expect(page.getByText(/The image's kernel must be signed by a key shim trusts/)).toBeVisible();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(/Saved role/)).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('UEFI boot chain')).toHaveValue('secure_boot');
  // The role lists its candidate whose kernel Secure Boot would refuse, and only that one.
  const roleAlert = page.getByRole('alert').filter({ hasText: 'Secure Boot would refuse these kernels' });
  await expect(roleAlert).toContainText('unsigned-1');
  await expect(roleAlert).not.toContainText('debian-2');
  await page.screenshot({ path: 'test-results/secure-boot-role.png', fullPage: true });

  await page.goto(`/images/${unsigned}`);
  const note = page.getByTestId('kernel-signature');
  await expect(note).toContainText('not signed: UEFI Secure Boot refuses it');
  await expect(note.getByRole('alert')).toContainText('this kernel would be refused there');
  // Staging it is refused before any spare is picked: the spare would only fail the gate.
  await expect(page.getByRole('button', { name: 'Stage on a spare' })).toBeEnabled();
  await page.getByRole('button', { name: 'Stage on a spare' }).click();
  await expect(page.getByText(/image unsigned-1's kernel would be refused: not signed/)).toBeVisible();
  await expect(page.getByText('Not staged yet.')).toBeVisible();
  await page.screenshot({ path: 'test-results/secure-boot-unsigned-kernel.png', fullPage: true });

  await page.goto(`/images/${signed}`);
  await expect(page.getByTestId('kernel-signature')).toContainText(/signed by Debian Secure Boot Signer .*, trusted by shim \(Debian Secure Boot CA\)/);
  await expect(page.getByTestId('kernel-signature').getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/secure-boot-signed-kernel.png', fullPage: true });

  // Back to iPXE: the same unsigned kernel is reported, without the Secure Boot warning.
  expect((await api.patch(`/api/v1/roles/${role.id}`, { data: { uefiBootChain: 'ipxe' } })).status()).toBe(200);
  await page.goto(`/images/${unsigned}`);
  await expect(page.getByTestId('kernel-signature')).toContainText('unsigned');
  await expect(page.getByTestId('kernel-signature').getByRole('alert')).toHaveCount(0);
});
