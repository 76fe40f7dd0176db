import { expect, type Page } from '@playwright/test';

/** Where every browser test saves its screenshots (scripts/test.sh prints the path). */
export const SHOTS = 'e2e-artifacts/screenshots';

/** Signs in with the local guest provider and waits for the sidebar. */
export async function signIn(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }).first(),
  ).toBeVisible();
}

/**
 * Waits until TechDocs has finished checking (and, with the local builder, rebuilding) the site:
 * until then the reader may swap its content for a loading state, and a screenshot shows nothing.
 * When a rebuild finished while the page was open, TechDocs offers "Refresh"; take it.
 */
export async function waitForTechDocs(page: Page) {
  const refresh = page.getByRole('button', { name: 'Refresh', exact: true });
  const loading = page.getByRole('progressbar');
  await expect(async () => {
    if (await refresh.isVisible()) await refresh.click();
    expect(await loading.count()).toBe(0);
  }).toPass({ timeout: 150_000, intervals: [1_000] });
}
