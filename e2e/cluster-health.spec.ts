import { test, expect } from '@playwright/test';
import { SHOTS, signIn } from './portal';

/**
 * The per-cluster health and the intent summary against the real portal and lab. scripts/test.sh
 * starts the portal with e2e/app-config.fault-fixture.yaml: one more cluster,
 * `fault-fixture-token-refused`, whose token the lab's API server refuses (401).
 */
const FAULTY = 'fault-fixture-token-refused';

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

/** The fault-fixture tests need the portal started as scripts/test.sh starts it. */
const withFixture = () =>
  test.skip(
    process.env.CLOUDLAB_E2E_FAULT_FIXTURE !== '1',
    'needs the portal started with e2e/app-config.fault-fixture.yaml (scripts/test.sh does)',
  );

test('the Placement tab shows the intent chips of a lab workload and whether reality matches', async ({
  page,
}) => {
  await page.goto('/catalog/default/component/pihole-hetzner/placement');
  const workload = page.getByRole('region', {
    name: 'intent of pihole-hetzner/Deployment/pihole',
  });
  await expect(workload).toBeVisible();
  // The hetzner component pins the Pi-hole with a nodeSelector and a required node affinity.
  await expect(
    workload.getByLabel('selector provider=hetzner: reality matches'),
  ).toBeVisible();
  await expect(
    workload.getByLabel('node affinity (required): reality matches'),
  ).toBeVisible();
  await expect(workload.getByText('intent matches reality')).toBeVisible();
  await workload
    .getByLabel('node affinity (required): reality matches')
    .hover();
  await expect(
    page.getByText(
      /^required node affinity: .*cfke\.io\/provider In \(hetzner\)/,
    ),
  ).toBeVisible();
  await workload.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/placement-intent.png` });
});

test('a cluster whose token is refused is explained on the Placement tab while the lab renders', async ({
  page,
}) => {
  withFixture();
  await page.goto('/catalog/default/component/pihole-hetzner/placement');
  const problem = page.getByLabel(`problem with cluster ${FAULTY}`);
  // The backend learns of the 401 at its first list; the page retries until it has.
  await expect(async () => {
    await page.reload();
    await expect(problem).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000, intervals: [3_000] });
  await expect(
    page.getByText(
      `Cluster ${FAULTY}: token refused (401) — no data from this cluster`,
    ),
  ).toBeVisible();
  await expect(
    problem.getByText(
      /serviceAccountToken: expired, revoked, or issued by another cluster/,
    ),
  ).toBeVisible();
  // The lab cluster's pods still render beside it.
  await expect(
    page
      .getByRole('region', { name: 'placement in cluster lab' })
      .getByRole('region', {
        name: 'intent of pihole-hetzner/Deployment/pihole',
      }),
  ).toBeVisible();
  await page
    .getByRole('status', { name: `state of cluster ${FAULTY}` })
    .scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/cluster-error-placement.png` });
});

test('the Providers page lists the refused cluster with its error kind, the lab stays live', async ({
  page,
}) => {
  withFixture();
  await page.goto('/multi-provider');
  const table = page.getByRole('table').first();
  await expect(table.getByText('token refused (401)').first()).toBeVisible();
  await expect(table.getByText('live', { exact: true }).first()).toBeVisible();
  await expect(page.getByLabel(`problem with cluster ${FAULTY}`)).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'provider hetzner' }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: `${SHOTS}/cluster-error-providers.png`,
    fullPage: true,
  });
});
