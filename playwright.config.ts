import { defineConfig } from '@playwright/test';

/**
 * Browser end-to-end tests against the running portal (scripts/test.sh starts it), driving
 * Debian's Chromium (no browser download). Screenshots go to e2e-artifacts/screenshots.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 45_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'e2e-artifacts/results',
  use: {
    baseURL: process.env.CLOUDLAB_PORTAL_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
});
