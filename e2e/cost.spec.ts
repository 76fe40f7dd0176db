import { test, expect } from '@playwright/test';
import { SHOTS, signIn } from './portal';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('the platform cost section lists monthly figures by provider and by service', async ({
  page,
}) => {
  await page.goto('/multi-provider');
  const byProvider = page.getByText(/^Cluster .* by provider$/).first();
  await expect(byProvider).toBeVisible();
  // Every priced lab node type is in the table: figures, not "unknown", per provider.
  await expect(page.getByText(/€\d+\.\d\d/).first()).toBeVisible();
  await expect(page.getByText(/^Cluster .* by service$/).first()).toBeVisible();
  await expect(
    page
      .getByRole('button', { name: 'Download CSV' })
      .or(page.getByRole('link', { name: 'Download CSV' })),
  ).toBeVisible();
  await byProvider.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/cost-platform.png`, fullPage: true });
});

test('the advice panel explains the Pi-hole pattern when hetzner is lost', async ({
  page,
}) => {
  await page.goto('/multi-provider');
  await page.getByLabel('Level', { exact: true }).selectOption('provider');
  await page.getByLabel('Domain', { exact: true }).selectOption('hetzner');
  await page.getByRole('button', { name: 'Simulate loss' }).click();
  const verdicts = page
    .getByRole('region', { name: /^verdicts for cluster / })
    .first();
  const advise = verdicts.getByRole('button', { name: /^Advise on .*pihole/ });
  await expect(advise).toBeVisible();
  await advise.click();
  const panel = page.getByRole('region', { name: /^advice for .*pihole/ });
  await expect(panel).toBeVisible();
  await expect(
    panel.getByText(/already one instance per provider/),
  ).toBeVisible();
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/advice-pihole.png`, fullPage: true });
});

test('Apply opens the template prefilled, and the template shows what it will cost', async ({
  page,
}) => {
  // The link the advice panel builds for an extra instance (helpers/advice.ts templateHref).
  const formData = {
    name: 'e2e-advice',
    providers: ['hetzner', 'scaleway'],
    replicas: 2,
  };
  await page.goto(
    `/create/templates/default/provider-workload?formData=${encodeURIComponent(
      JSON.stringify(formData),
    )}`,
  );
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue(
    'e2e-advice',
  );
  const picker = page.getByTestId('cloudlab-provider-picker');
  await expect(picker.getByLabel('Hetzner Cloud')).toBeChecked();
  await expect(picker.getByLabel('Scaleway')).toBeChecked();
  await page.screenshot({
    path: `${SHOTS}/advice-template-prefilled.png`,
    fullPage: true,
  });
  await page
    .getByRole('textbox', { name: 'Container image' })
    .fill('cloudlab/e2e-advice:1.0.0');
  await page.getByRole('button', { name: 'Next' }).click();
  const estimate = page.getByTestId('cloudlab-cost-estimate');
  await expect(estimate).toBeVisible();
  await expect(estimate.getByText(/^€\d+\.\d\d a month$/)).toBeVisible();
  await expect(estimate.getByText(/^hetzner: €/)).toBeVisible();
  await expect(estimate.getByText(/^scaleway: €/)).toBeVisible();
  await page.screenshot({
    path: `${SHOTS}/template-cost-estimate.png`,
    fullPage: true,
  });
});
