// Shared by the console specs: the admin's credentials, unique names per run, signing in
// through the login page, and an API client signed in as the admin to set up data quickly.
import { expect, request, type APIRequestContext, type Page } from '@playwright/test';

export const adminUser = process.env.FLEETBOOT_ADMIN_USER ?? 'admin';
export const adminPassword = process.env.FLEETBOOT_ADMIN_PASSWORD ?? '';
if (!adminPassword) throw new Error('set FLEETBOOT_ADMIN_PASSWORD (scripts/e2e-ui.sh does)');

const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
let counter = 0;

/** A name no other test or earlier run has used: "web-<run>-<n>". */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${runId}-${counter}`.toLowerCase();
}

/** A random /24 and its first three octets, so tests can write addresses inside (or outside) it. */
export function randomSubnet(): { cidr: string; prefix: string } {
  const prefix = `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 256)}`;
  return { cidr: `${prefix}.0/24`, prefix };
}

export async function signIn(page: Page, username = adminUser, password = adminPassword): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  // The sign-in delay another spec's wrong passwords earn 127.0.0.1 (see adminApi): wait it out.
  const signedIn = page.getByTestId('signed-in-user');
  const throttled = page.getByText(/too many failed sign-ins/);
  for (let attempt = 1; attempt <= 6; attempt++) {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(signedIn.or(throttled).first()).toBeVisible();
    // Signed-in pages may show the phrase too (the dashboard's audit of a throttle).
    if (await signedIn.isVisible()) break;
    await page.waitForTimeout(2_500);
  }
  await expect(page.getByTestId('signed-in-user')).toContainText(username);
}

/** An API client with the admin's session cookie, sending the console's Origin as its pages do. */
export async function adminApi(baseURL: string | undefined): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: baseURL ? { origin: new URL(baseURL).origin } : {} });
  // Every spec signs in from 127.0.0.1, and the brute-force spec's wrong passwords earn that
  // address a short sign-in delay (429 with Retry-After): wait as told, as a real client would.
  for (let attempt = 1; ; attempt++) {
    const res = await api.post('/api/v1/auth/login', { data: { username: adminUser, password: adminPassword } });
    if (res.status() === 429 && attempt < 6) {
      const seconds = Math.min(20, Number(res.headers()['retry-after'] ?? 1));
      await new Promise((r) => setTimeout(r, seconds * 1000 + 200));
      continue;
    }
    expect(res.status(), await res.text()).toBe(200);
    return api;
  }
}

export async function createVia<T = { id: string }>(api: APIRequestContext, path: string, data: unknown): Promise<T> {
  const res = await api.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
  return (await res.json()) as T;
}
