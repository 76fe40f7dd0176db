import { test, expect, type Page } from '@playwright/test';
import { SHOTS, signIn } from './portal';

/**
 * The lab's plain-manifest services (docs/lab/services.md) on the platform page's what-if panel:
 * each long-running one is a row with its verdict. The batch CronJob is not: its pods complete
 * (kwok finishes Job pods as a kubelet would), and a finished pod has nothing to lose.
 */
const SERVICES = [
  'Deployment/whoami',
  'Deployment/httpbin',
  'StatefulSet/redis',
  'Deployment/memcached',
];

async function simulateLoss(
  page: Page,
  level: 'provider' | 'region' | 'zone',
  domain: string,
) {
  await page.goto('/multi-provider');
  await page.getByLabel('Level', { exact: true }).selectOption(level);
  await page.getByLabel('Domain', { exact: true }).selectOption(domain);
  await page.getByRole('button', { name: 'Simulate loss' }).click();
  await expect(page.getByText(`Losing ${level} ${domain}`)).toBeVisible();
  const verdicts = page
    .getByRole('region', { name: /^verdicts for cluster / })
    .first();
  await expect(verdicts).toBeVisible();
  return verdicts;
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('the platform page gives every lab service a verdict for losing a provider', async ({
  page,
}) => {
  const verdicts = await simulateLoss(page, 'provider', 'hetzner');
  // With more than ten services the table pages and offers a search box.
  const search = verdicts.getByPlaceholder('Filter');
  for (const workload of SERVICES) {
    if (await search.isVisible()) await search.fill(workload.split('/')[1]);
    const row = verdicts.getByRole('row').filter({ hasText: workload });
    await expect(row.first()).toBeVisible();
    await expect(row.first()).toContainText(/survives|degraded|down/);
  }
  if (await search.isVisible()) await search.fill('');
  await verdicts.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: `${SHOTS}/lab-services-what-if-hetzner.png`,
    fullPage: true,
  });
});

test('a service pinned to one zone is down when that zone is lost; one spread over zones is not', async ({
  page,
}) => {
  const verdicts = await simulateLoss(page, 'zone', 'fsn1-dc14');
  const row = (workload: string) =>
    verdicts.getByRole('row').filter({ hasText: workload }).first();
  await expect(row('Deployment/memcached')).toContainText('down');
  await expect(row('Deployment/memcached')).toContainText('lost');
  await page.screenshot({
    path: `${SHOTS}/lab-services-what-if-fsn1-dc14.png`,
    fullPage: true,
  });

  const scaleway = await simulateLoss(page, 'zone', 'fr-par-1');
  const httpbin = scaleway
    .getByRole('row')
    .filter({ hasText: 'Deployment/httpbin' })
    .first();
  await expect(httpbin).toBeVisible();
  await expect(httpbin).not.toContainText('down');
  await page.screenshot({
    path: `${SHOTS}/lab-services-what-if-fr-par-1.png`,
    fullPage: true,
  });
});
