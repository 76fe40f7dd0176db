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
 */
export async function waitForTechDocs(page: Page) {
  await expect(page.getByRole('progressbar')).toHaveCount(0, {
    timeout: 110_000,
  });
  await expect(
    page.getByText('A newer version of this documentation is being prepared'),
  ).toHaveCount(0);
}
