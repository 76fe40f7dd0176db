import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { SHOTS, signIn } from './portal';

/**
 * Live pages (docs/adr/0503-live-pages.md) in the browser against the lab: the Placement tab of
 * pihole-hetzner is open, `lab outage hetzner` taints the provider's nodes, the real taint
 * eviction controller evicts the instance's pods and their replacements cannot be placed (the
 * instance is pinned to hetzner). The page shows the pending pods without a reload; `lab restore
 * hetzner` and it shows them running again. Prints, for both, the time from the API server having
 * the change (read from the API server, polled every 50 ms) to the page showing it.
 *
 * The lab is the repository's (`.cache/lab`) or the one in CLOUDLAB_LAB_ROOT's (a worktree's
 * portal against the shared lab).
 */
const LAB_ROOT = process.env.CLOUDLAB_LAB_ROOT ?? process.cwd();
const NAMESPACE = 'pihole-hetzner';
const SELECTOR = 'app.kubernetes.io/name=pihole';

function lab(...args: string[]) {
  execFileSync('yarn', ['lab', ...args], {
    env: { ...process.env, CLOUDLAB_ROOT: LAB_ROOT },
    stdio: 'inherit',
  });
}

function core(): k8s.CoreV1Api {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(LAB_ROOT, '.cache', 'lab', 'kubeconfig'));
  return kc.makeApiClient(k8s.CoreV1Api);
}

/** Polls the API server until `done` holds for the instance's pods; the time it first did. */
async function apiShows(
  api: k8s.CoreV1Api,
  done: (pods: k8s.V1Pod[]) => boolean,
): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { items } = await api.listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: SELECTOR,
    });
    if (done(items)) return performance.now();
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error('the API server never showed the change');
}

const pendingPods = (pods: k8s.V1Pod[]) =>
  pods.filter(p => !p.metadata?.deletionTimestamp && !p.spec?.nodeName);
const runningOnHetzner = (pods: k8s.V1Pod[]) =>
  pods.length > 0 &&
  pods.every(
    p =>
      !p.metadata?.deletionTimestamp &&
      p.spec?.nodeName &&
      p.status?.phase === 'Running',
  );

/** The page's intent summary (the "N pods · N match … · N pending" line). */
const summary = (page: Page) =>
  page.getByLabel('intent summary', { exact: true }).first();

test('the Placement tab shows an outage and its end without a reload', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const api = core();
  // Start from a lab without the outage (a failed earlier run may have left it).
  lab('restore', 'hetzner');
  await apiShows(api, runningOnHetzner);

  // The page hears of changes over the signals plugin's WebSocket (no polling in the app).
  const sockets: string[] = [];
  page.on('websocket', ws => sockets.push(ws.url()));
  await signIn(page);
  await page.goto(`/catalog/default/component/${NAMESPACE}/placement`);
  await expect(page.getByText('Hetzner Cloud 100%')).toBeVisible();
  await expect(summary(page).getByText(/ pending$/)).toHaveCount(0);
  // Marks this document: a reload or a navigation would lose the mark.
  await page.evaluate(() => {
    (window as any).__cloudlabLiveMark = 'same document';
  });
  await page.screenshot({
    path: `${SHOTS}/live-placement-before.png`,
    fullPage: true,
  });

  const figures: string[] = [];
  try {
    lab('outage', 'hetzner');
    const [apiAt, pageAt] = await Promise.all([
      apiShows(api, pods => pendingPods(pods).length > 0),
      summary(page)
        .getByText(/^\d+ pending$/)
        .waitFor({ timeout: 60_000 })
        .then(() => performance.now()),
    ]);
    figures.push(
      `outage: the page showed the pending pods ${Math.round(
        pageAt - apiAt,
      )} ms after the API server had them`,
    );
    await page.screenshot({
      path: `${SHOTS}/live-placement-outage.png`,
      fullPage: true,
    });
  } finally {
    lab('restore', 'hetzner');
  }
  const [apiAt, pageAt] = await Promise.all([
    apiShows(api, pods => pods.length > 0 && pendingPods(pods).length === 0),
    expect(summary(page).getByText(/ pending$/))
      .toHaveCount(0, { timeout: 60_000 })
      .then(() => performance.now()),
  ]);
  figures.push(
    `restore: the page showed every pod placed again ${Math.round(
      pageAt - apiAt,
    )} ms after the API server had them`,
  );
  await expect(page.getByText('Hetzner Cloud 100%')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__cloudlabLiveMark)).toBe(
    'same document',
  );
  expect(sockets.some(u => u.includes('/api/signals'))).toBe(true);
  await apiShows(api, runningOnHetzner);
  await page.screenshot({
    path: `${SHOTS}/live-placement-after.png`,
    fullPage: true,
  });
  for (const f of figures) console.log(`live pages: ${f}`);
});
