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
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(username);
}

/** An API client with the admin's session cookie, sending the console's Origin as its pages do. */
export async function adminApi(baseURL: string | undefined): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: baseURL ? { origin: new URL(baseURL).origin } : {} });
  const res = await api.post('/api/v1/auth/login', { data: { username: adminUser, password: adminPassword } });
  expect(res.status(), await res.text()).toBe(200);
  return api;
}

export async function createVia<T = { id: string }>(api: APIRequestContext, path: string, data: unknown): Promise<T> {
  const res = await api.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
  return (await res.json()) as T;
}
