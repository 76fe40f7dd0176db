import { test, expect } from '@playwright/test';
import { SHOTS, signIn } from './portal';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('the Storage tab shows each Pi-hole claim on its own provider and zone', async ({
  page,
}) => {
  // Display names and topology keys come from providers/*.yaml.
  for (const [instance, provider, className] of [
    ['pihole-hetzner', 'Hetzner Cloud', 'hcloud-volumes'],
    ['pihole-scaleway', 'Scaleway', 'scw-bssd'],
  ]) {
    await page.goto(`/catalog/default/component/${instance}/storage`);
    const row = page
      .getByRole('row')
      .filter({ hasText: `${instance}/pihole-data` });
    await expect(row).toBeVisible();
    await expect(row).toContainText('Bound');
    await expect(row).toContainText(className);
    await expect(row.getByText(provider, { exact: true })).toBeVisible();
    await expect(row).toContainText('WaitForFirstConsumer');
    // The mounting pod and the node it runs on.
    await expect(row).toContainText(/pihole-.* → .*\(/);
    await page.screenshot({
      path: `${SHOTS}/storage-${instance}.png`,
      fullPage: true,
    });
  }
});

test('the Storage page draws volumes by provider and zone, classes, drivers and the desired state', async ({
  page,
}) => {
  await page.getByRole('link', { name: 'Storage' }).first().click();
  await expect(page).toHaveURL(/\/multi-provider\/storage$/);

  for (const provider of ['Hetzner Cloud', 'Scaleway']) {
    const map = page.getByRole('region', { name: `volumes of ${provider}` });
    await expect(map).toBeVisible();
    // One tile per topology domain, with claims and bound volumes.
    await expect(
      map
        .getByRole('img', { name: /claims, \d+ of \d+ volumes bound/ })
        .first(),
    ).toBeVisible();
  }
  for (const className of ['hcloud-volumes', 'scw-bssd', 'scw-bssd-retain']) {
    await expect(
      page.getByRole('row').filter({ hasText: className }).first(),
    ).toBeVisible();
  }
  const driver = page
    .getByRole('region', { name: 'CSI drivers' })
    .first()
    .getByRole('row')
    .filter({ hasText: 'csi.hetzner.cloud' });
  await expect(driver).toContainText('Hetzner Cloud');
  // The lab registers a CSINode per node: the node plugin runs on the provider's nodes.
  await expect(driver).toContainText(/\d+ node\(s\): hetzner-/);
  await expect(
    page.getByRole('meter', { name: 'hcloud-volumes volumes bound' }),
  ).toBeVisible();
  await expect(page.getByText(/^Findings \(\d+\)$/).first()).toBeVisible();
  await page.screenshot({
    path: `${SHOTS}/storage-platform.png`,
    fullPage: true,
  });

  // Desired state from gitops/: the claims of the Pi-hole Kustomizations with their provider.
  const desired = page.getByRole('region', { name: 'desired storage' });
  for (const [kustomization, provider] of [
    ['apps-pihole-hetzner', 'hetzner'],
    ['apps-pihole-scaleway', 'scaleway'],
  ]) {
    const row = desired.getByRole('row').filter({ hasText: kustomization });
    await expect(row).toContainText('pihole-data');
    await expect(row).toContainText(provider);
  }
  await desired.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: `${SHOTS}/storage-desired.png`,
    fullPage: true,
  });
});
