import { test, expect } from '@playwright/test';

const SHOTS = 'e2e-artifacts/screenshots';
const FLAVOUR = process.env.CLOUDLAB_INSTALL_PROOF_FLAVOUR ?? 'new';
const ENTITY = '/catalog/default/component/pihole-hetzner';

test.beforeEach(async ({ page }) => {
  // The fresh app's guest sign-in: the Enter button, or straight in when the session is kept
  // (the legacy template signs in automatically then). Both templates' sidebars have Home.
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  const home = page.getByRole('link', { name: 'Home', exact: true }).first();
  await expect(enter.or(home)).toBeVisible();
  if (await enter.isVisible()) await enter.click();
  await expect(home).toBeVisible();
});

test('the Placement tab of the Pi-hole entity shows its live pods on Hetzner', async ({
  page,
}) => {
  await page.goto(`${ENTITY}/placement`);
  // Display names come from providers/*.yaml; pod names from the lab.
  await expect(page.getByText('Hetzner Cloud 100%')).toBeVisible();
  // A pod of the lab's Deployment: <deployment>-<ReplicaSet hash>-<suffix>.
  await expect(
    page.getByText(/^pihole-[a-z0-9]{6,10}-[a-z0-9]{5}$/).first(),
  ).toBeVisible();
  await expect(page.getByText('Scaleway', { exact: true })).toHaveCount(0);
  await page.screenshot({
    path: `${SHOTS}/install-proof-${FLAVOUR}-placement.png`,
    fullPage: true,
  });
});

test('the Storage tab of the Pi-hole entity shows its bound claim on Hetzner', async ({
  page,
}) => {
  await page.goto(`${ENTITY}/storage`);
  const row = page
    .getByRole('row')
    .filter({ hasText: 'pihole-hetzner/pihole-data' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('Bound');
  await expect(row).toContainText('hcloud-volumes');
  await expect(row.getByText('Hetzner Cloud', { exact: true })).toBeVisible();
  await page.screenshot({
    path: `${SHOTS}/install-proof-${FLAVOUR}-storage.png`,
    fullPage: true,
  });
});
