import { test, expect } from '@playwright/test';
import { SHOTS, signIn } from './portal';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('home page leads to the platform system, its docs and the templates', async ({
  page,
}) => {
  await expect(page.getByText('Cloudlab — one cluster')).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'The platform system' }),
  ).toHaveAttribute('href', /\/catalog\/default\/system\/cloudlab-platform$/);
  await expect(
    page.getByRole('link', { name: 'The platform handbook' }),
  ).toHaveAttribute('href', /\/docs\/default\/system\/cloudlab-platform$/);
  await page.screenshot({ path: `${SHOTS}/home.png`, fullPage: true });
});

test('the catalog lists the platform entities', async ({ page }) => {
  await page.goto('/catalog?filters[kind]=system');
  for (const name of [
    'Cloudlab platform',
    'Infrastructure enablement',
    'Platform services',
    'Observability',
    'Workloads',
  ]) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await page.screenshot({ path: `${SHOTS}/catalog.png`, fullPage: true });
});

test('an entity page opens', async ({ page }) => {
  await page.goto('/catalog/default/system/cloudlab-platform');
  await expect(
    page.getByRole('heading', { name: 'Cloudlab platform' }).first(),
  ).toBeVisible();
  await expect(
    page.getByText('One Kubernetes cluster across Hetzner'),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/entity.png`, fullPage: true });
});

test('a TechDocs page renders its text', async ({ page }) => {
  await page.goto('/docs/default/system/cloudlab-platform');
  // TechDocs renders into a shadow root; Playwright's locators pierce it.
  await expect(
    page.getByRole('heading', { name: 'Cloudlab platform handbook' }).first(),
  ).toBeVisible({ timeout: 110_000 });
  await expect(
    page.getByText('The portal answers four questions'),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/techdocs.png`, fullPage: true });
});

test('the templates page lists the templates', async ({ page }) => {
  await page.goto('/create');
  await expect(
    page.getByText('Workload pinned to providers').first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/templates.png`, fullPage: true });
});
