import { test, expect } from '@playwright/test';
import { SHOTS, signIn, waitForTechDocs } from './portal';

const HANDBOOK = '/docs/default/system/cloudlab-platform';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

// The first visit may build the handbook, and TechDocs may rebuild it while a test runs.
test.setTimeout(300_000);

test('an ADR opens inside the portal from the decision records index', async ({
  page,
}) => {
  await page.goto(`${HANDBOOK}/adr/`);
  // TechDocs renders into a shadow root; Playwright's locators pierce it. The first visit may
  // build the handbook (mkdocs), hence the long wait.
  await expect(
    page.getByRole('heading', { name: 'Decision records' }).first(),
  ).toBeVisible({ timeout: 110_000 });
  await waitForTechDocs(page);
  await page.getByRole('link', { name: '1007', exact: true }).click();
  await expect(page).toHaveURL(/\/adr\/1007-portal-read-only-rbac\/?$/);
  await expect(
    page
      .getByRole('heading', {
        name: 'ADR 1007: The portal reads clusters with a read-only ServiceAccount that cannot read Secrets',
      })
      .first(),
  ).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'Alternatives considered' }).first(),
  ).toBeVisible();
  await waitForTechDocs(page);
  await expect(
    page.getByRole('heading', { name: /^ADR 1007: / }).first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/techdocs-adr.png`, fullPage: true });
});

test('the architecture page shows its rendered diagrams', async ({ page }) => {
  await page.goto(`${HANDBOOK}/architecture/`);
  await expect(
    page.getByRole('heading', { name: 'Architecture' }).first(),
  ).toBeVisible({ timeout: 110_000 });
  await waitForTechDocs(page);
  const diagram = page.getByRole('img', {
    name: /^One cluster across providers/,
  });
  await expect(diagram).toBeVisible();
  // Loaded, not a broken image: the SVG has an intrinsic width.
  await expect
    .poll(() => diagram.evaluate(img => (img as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
  await diagram.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: `${SHOTS}/techdocs-architecture.png`,
    fullPage: true,
  });
});
