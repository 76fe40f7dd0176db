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
