import { test, expect, type Page } from '@playwright/test';
import { SHOTS, signIn } from './portal';

/** The node count a provider card states in its subheader ("4 nodes · 1 pods · …"). */
async function nodeCount(page: Page, provider: string): Promise<number> {
  const card = page.getByRole('region', { name: `provider ${provider}` });
  await expect(card).toBeVisible();
  const text = await card
    .getByText(/^\d+ nodes? · /)
    .first()
    .innerText();
  return Number(/^(\d+)/.exec(text)?.[1] ?? 0);
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('the Providers page maps the lab by provider with utilisation', async ({
  page,
}) => {
  await page.getByRole('link', { name: 'Providers' }).first().click();
  await expect(page).toHaveURL(/\/multi-provider$/);

  for (const provider of ['hetzner', 'scaleway']) {
    expect(await nodeCount(page, provider)).toBeGreaterThan(0);
    const card = page.getByRole('region', { name: `provider ${provider}` });
    // every node is a cell of the heat grid
    expect(await card.locator('svg[role="img"] rect').count()).toBeGreaterThan(
      0,
    );
    await expect(
      card.getByRole('meter', { name: 'CPU requested' }).first(),
    ).toBeVisible();
  }
  await expect(page.getByText('EU data locality').first()).toBeVisible();
  await expect(
    page.getByText(/nodes run (in EU regions|outside the EU)/).first(),
  ).toBeVisible();
  // The cluster status table says the lab's cache is live (synced).
  await expect(
    page.getByRole('table').getByText('live', { exact: true }).first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/providers.png`, fullPage: true });
});

test('the what-if panel shows verdicts for losing hetzner', async ({
  page,
}) => {
  await page.goto('/multi-provider');
  await page.getByLabel('Level', { exact: true }).selectOption('provider');
  await page.getByLabel('Domain', { exact: true }).selectOption('hetzner');
  await page.getByRole('button', { name: 'Simulate loss' }).click();

  await expect(page.getByText('Losing provider hetzner')).toBeVisible();
  const verdicts = page
    .getByRole('region', { name: /^verdicts for cluster / })
    .first();
  await expect(verdicts).toBeVisible();
  const lost = await verdicts.getByText(/^\d+ nodes lost$/).innerText();
  expect(Number(/^(\d+)/.exec(lost)?.[1])).toBeGreaterThan(0);
  // at least one service row with a verdict
  await expect(
    verdicts
      .getByRole('row')
      .filter({ hasText: /survives|degraded|down/ })
      .first(),
  ).toBeVisible();
  await verdicts.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: `${SHOTS}/what-if-hetzner.png`,
    fullPage: true,
  });
});

test('the Placement tab shows each Pi-hole instance on its own provider', async ({
  page,
}) => {
  // Display names come from providers/*.yaml.
  for (const [instance, provider, other] of [
    ['pihole-hetzner', 'Hetzner Cloud', 'Scaleway'],
    ['pihole-scaleway', 'Scaleway', 'Hetzner Cloud'],
  ]) {
    await page.goto(`/catalog/default/component/${instance}/placement`);
    // The share-per-provider bar: every pod of the instance on its own provider.
    await expect(page.getByText(`${provider} 100%`)).toBeVisible();
    await expect(
      page.getByText(/\d+ match their intent/).first(),
    ).toBeVisible();
    await expect(page.getByText(other, { exact: true })).toHaveCount(0);
    await page.screenshot({
      path: `${SHOTS}/placement-${instance}.png`,
      fullPage: true,
    });
  }
});
