// Playwright for the console (e2e/ui), in Debian's Chromium: never `npx playwright install`.
// scripts/e2e-ui.sh starts Fleetboot and exports FLEETBOOT_URL and FLEETBOOT_ADMIN_PASSWORD.
import { defineConfig } from '@playwright/test';

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
  testDir: 'e2e/ui',
  outputDir: 'test-results/ui',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : 3,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.FLEETBOOT_URL ?? 'http://localhost:3000',
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
