import { test, expect } from '@playwright/test';
import { SHOTS, signIn } from './portal';

// The same form input every run: the actions are idempotent, so a rerun publishes nothing new.
const NAME = 'e2e-browser';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('a template form picks providers from the registry and runs to a validated commit', async ({
  page,
}) => {
  await page.goto('/create/templates/default/provider-workload');
  await page.getByRole('textbox', { name: 'Name' }).fill(NAME);
  await page
    .getByRole('textbox', { name: 'Container image' })
    .fill('cloudlab/e2e-browser:1.0.0');

  // CloudlabProviderPicker: the registry's providers with their storage facts.
  const picker = page.getByTestId('cloudlab-provider-picker');
  await expect(picker).toBeVisible();
  await expect(
    picker.getByText(/^Hetzner Cloud \(hetzner\) — classes .*volumes ≥ 10Gi/),
  ).toBeVisible();
  await expect(
    picker.getByText(/^Scaleway \(scaleway\) — classes /),
  ).toBeVisible();
  await picker.getByLabel('Hetzner Cloud').check();
  await picker.getByLabel('Scaleway').check();
  await page.screenshot({
    path: `${SHOTS}/scaffolder-provider-picker.png`,
    fullPage: true,
  });
  await page.getByRole('button', { name: 'Next' }).click();

  const owner = page.getByRole('textbox', { name: 'Owner' });
  // The OwnerPicker accepts a typed entity reference.
  await owner.fill('group:default/platform-team');
  await owner.press('Tab');
  await page.getByRole('button', { name: 'Review' }).click();

  // The review lists the chosen providers.
  await expect(page.getByText('hetzner').first()).toBeVisible();
  await expect(page.getByText('scaleway').first()).toBeVisible();
  await page.screenshot({
    path: `${SHOTS}/scaffolder-review.png`,
    fullPage: true,
  });

  await page.getByRole('button', { name: 'Create' }).click();
  // The task page: every step through validation and the local commit completes.
  await expect(
    page.getByText(/Validate the GitOps tree/).first(),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: /Change \(pull request/ }),
  ).toBeVisible({ timeout: 120_000 });
  await page.screenshot({
    path: `${SHOTS}/scaffolder-task.png`,
    fullPage: true,
  });
});
