import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { SHOTS, signIn } from './portal';

/** Whether the lab's GitOps loop runs (VSO's pid file names a live process). */
function loopRunning(): boolean {
  try {
    const pid = Number(
      fs.readFileSync(
        path.join('.cache', 'lab', 'pids', 'vault-secrets-operator.pid'),
        'utf8',
      ),
    );
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The GitOps views in the browser: a Pi-hole instance's GitOps tab (roll-up, Flux objects,
 * dependency chain, inventory), its Secrets card and the platform GitOps page. With the lab's
 * GitOps loop running (`yarn lab gitops up`, as scripts/test.sh does before the browser tests) Flux and VSO have reported:
 * the spec then also asserts the states they report.
 */
const loop = Boolean(process.env.CLOUDLAB_LAB_GITOPS) || loopRunning();

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('a Pi-hole instance shows its GitOps roll-up, chain, inventory and synced secret', async ({
  page,
}) => {
  // The Secrets card is on the overview of every Flux-reconciled entity.
  await page.goto('/catalog/default/component/pihole-hetzner');
  const card = page.getByRole('region', { name: 'Secrets synced by VSO' });
  await expect(card.getByText('pihole-hetzner/pihole-admin')).toBeVisible();
  if (loop) {
    await expect(card.getByText('yes (VSO reports it synced)')).toBeVisible();
  }
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: `${SHOTS}/secrets-card.png` });

  // The GitOps tab (in the Deployment group, beside Placement).
  await page.goto('/catalog/default/component/pihole-hetzner/gitops');

  const verdict = page.getByRole('status', { name: 'roll-up verdict' });
  await expect(verdict).toBeVisible();
  const flux = page
    .getByRole('region', { name: 'GitOps in cluster lab' })
    .first();
  await expect(flux.getByText('flux-system/apps-pihole-hetzner')).toBeVisible();
  const chain = flux.getByRole('figure', { name: 'dependency chain' });
  await expect(chain).toBeVisible();
  await expect(
    chain.getByTestId('chain-Kustomization-platform-vso-config'),
  ).toBeVisible();
  // The guest is not an administrator: no reconcile / suspend buttons.
  await expect(page.getByRole('button', { name: 'Reconcile now' })).toHaveCount(
    0,
  );

  const secrets = page.getByText('Secrets', { exact: true }).first();
  await expect(secrets).toBeVisible();
  await expect(page.getByText('pihole-hetzner/pihole-admin')).toBeVisible();
  if (loop) {
    await expect(verdict.getByText('healthy')).toBeVisible();
    await expect(flux.getByText('Inventory (what Flux applied)')).toBeVisible();
    await expect(flux.getByText(/pod\(s\) on /).first()).toBeVisible();
    await expect(page.getByText('yes (VSO reports it synced)')).toBeVisible();
  }
  await page.screenshot({ path: `${SHOTS}/gitops-tab.png`, fullPage: true });
});

test('the platform GitOps page lists every Flux object and filters by verdict', async ({
  page,
}) => {
  await page.getByRole('link', { name: 'GitOps' }).first().click();
  await expect(page).toHaveURL(/\/multi-provider\/gitops$/);
  const lab = page.getByRole('region', { name: 'Flux objects of lab' });
  // The name cell, not a reconciling message that mentions the same Kustomization.
  const piholeRow = lab.getByRole('cell', {
    name: 'apps-pihole-hetzner',
    exact: true,
  });
  await expect(piholeRow).toBeVisible();
  await expect(lab.getByText('flux-system').first()).toBeVisible();
  await page.screenshot({
    path: `${SHOTS}/gitops-platform.png`,
    fullPage: true,
  });

  const filters = page.getByRole('group', { name: 'filter by verdict' });
  await filters.getByText(/^failing/).click();
  await expect(
    filters.getByRole('button', { name: /^failing/ }),
  ).toHaveAttribute('aria-pressed', 'true');
  await expect(piholeRow).toHaveCount(0);
  if (loop) {
    // Offline, every HelmRepository fails with Flux's reason and so does every HelmRelease.
    await expect(lab.getByText('SourceNotReady').first()).toBeVisible();
    await expect(lab.getByText('HelmRelease').first()).toBeVisible();
  }
  await page.screenshot({
    path: `${SHOTS}/gitops-platform-failing.png`,
    fullPage: true,
  });
});
