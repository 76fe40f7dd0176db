#!/usr/bin/env node
// The install proof's HTTP checks against the fresh app's backend, as its users would see it:
// the Flux-generated entities are in its catalog; the Pi-hole entity's placement and storage
// answers carry live pods and claims from the lab; a Cloudlab template dry-runs; a user outside
// the group the adopter's policy allows is refused. Answers are parsed with the wire schemas of
// the packed @cloudlab/plugin-multi-provider-common the app installed, so a drift between the
// published packages fails here too.
//
//   node check.mjs <app dir> <backend base URL> <repository root>
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [appDir, baseUrl, repoRoot] = process.argv.slice(2);
if (!appDir || !baseUrl || !repoRoot) {
  console.error(
    'usage: check.mjs <app dir> <backend base URL> <repository root>',
  );
  process.exit(2);
}
const appRequire = createRequire(
  path.join(path.resolve(appDir), 'packages/backend/package.json'),
);
const common = appRequire('@cloudlab/plugin-multi-provider-common');
const { parse: parseYaml } = appRequire('yaml');

const ENTITY = 'default/component/pihole-hetzner';
let failures = 0;
function check(name, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures += 1;
}

async function signIn(user) {
  const res = await fetch(`${baseUrl}/api/auth/oauth2Proxy/refresh`, {
    headers: { 'x-forwarded-user': user, 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) {
    throw new Error(
      `sign-in as ${user}: HTTP ${res.status} ${await res.text()}`,
    );
  }
  return (await res.json()).backstageIdentity.token;
}

async function api(token, route, init = {}) {
  const res = await fetch(`${baseUrl}/api${route}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Retries `probe` until it returns a truthy value: the catalog and the caches fill after start. */
async function eventually(probe, seconds) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value || Date.now() > until) return value;
    await new Promise(r => setTimeout(r, 2000));
  }
}

// Sign-in resolves the user against the catalog, which fills in after the start.
const operator = await eventually(() => signIn('operator'), 180);
const outsider = await eventually(() => signIn('outsider'), 60);
if (!operator || !outsider) {
  console.error(
    'FAIL sign-in as operator and outsider (the org in adopter/org.yaml not in the catalog?)',
  );
  process.exit(1);
}

// Catalog: the Flux module's entities (it marks them) beside the hand-written Pi-hole instance.
const GENERATED_BY = 'cloudlab.dev/generated-by';
const catalog = await eventually(async () => {
  const generated = await api(
    operator,
    `/catalog/entities/by-query?filter=metadata.annotations.${GENERATED_BY}&limit=500`,
  );
  const pihole = await api(
    operator,
    `/catalog/entities/by-name/component/default/pihole-hetzner`,
  );
  const items = generated.status === 200 ? generated.body.items : [];
  return items.length > 0 && pihole.status === 200 ? items : undefined;
}, 180);
check(
  'catalog holds the Flux-generated entities and the Pi-hole instance',
  Boolean(catalog),
  catalog
    ? `${catalog.length} generated: ${catalog
        .slice(0, 4)
        .map(e => `${e.kind.toLowerCase()}:${e.metadata.name}`)
        .join(', ')}…`
    : 'no generated entity or no component:default/pihole-hetzner',
);

/**
 * The entity's answer from the multi-provider backend, parsed with the packed wire schema, and
 * the rows `pick` takes from it once there are any (the caches fill after the start).
 */
const entityRows = (view, schema, pick) =>
  eventually(async () => {
    const { status, body } = await api(
      operator,
      `/multi-provider/entity/${ENTITY}/${view}`,
    );
    if (status !== 200) return undefined;
    const rows = pick(schema.parse(body));
    return rows.length > 0 ? rows : undefined;
  }, 120);

// Placement: live pods of the Pi-hole instance, on Hetzner nodes of the lab.
const placement = await entityRows(
  'placement',
  common.entityPlacementResponseSchema,
  answer =>
    answer.clusters.flatMap(c =>
      c.providers.flatMap(p =>
        p.regions.flatMap(r =>
          r.zones.flatMap(z =>
            z.nodes.flatMap(n =>
              n.pods.map(pod => ({
                provider: p.name,
                pod: pod.name,
                node: n.name,
              })),
            ),
          ),
        ),
      ),
    ),
);
check(
  'placement of pihole-hetzner lists live pods on hetzner nodes',
  Boolean(placement) && placement.every(p => p.provider === 'hetzner'),
  placement
    ? placement.map(p => `${p.pod} on ${p.node} (${p.provider})`).join(', ')
    : 'no pods',
);

// Storage: the Pi-hole claim, bound, on a Hetzner volume.
const storage = await entityRows(
  'storage',
  common.entityStorageResponseSchema,
  answer => answer.clusters.flatMap(c => c.claims),
);
const claim = storage?.find(c => c.name === 'pihole-data');
check(
  'storage of pihole-hetzner shows its bound claim on a hetzner volume',
  claim?.phase === 'Bound' && claim?.provider === 'hetzner',
  claim
    ? `${claim.namespace}/${claim.name} ${claim.phase} ${
        claim.storageClassName
      } ${claim.provider} ${claim.zone ?? ''}`
    : 'no pihole-data claim',
);

// The adopter's policy: the same request by a user outside the allowed group.
const refused = await api(
  outsider,
  `/multi-provider/entity/${ENTITY}/placement`,
);
check(
  'a user outside the allowed group is refused (403)',
  refused.status === 403,
  `HTTP ${refused.status}`,
);

// A Cloudlab template's dry run through the scaffolder, over the repository's GitOps tree.
const directoryContents = [];
const walk = rel => {
  for (const entry of fs.readdirSync(path.join(repoRoot, rel), {
    withFileTypes: true,
  })) {
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) walk(child);
    else if (entry.isFile()) {
      directoryContents.push({
        path: child,
        base64Content: fs
          .readFileSync(path.join(repoRoot, child))
          .toString('base64'),
      });
    }
  }
};
// What the checkout action copies from a repository (its COMMITTED_PATHS that hold the tree and
// its rules), `.cloudlab/` included: the validator reads the repository's layers from there.
['gitops', 'providers', 'catalog', '.cloudlab'].forEach(walk);
const template = 'provider-workload';
const dryRun = await api(operator, '/scaffolder/v2/dry-run', {
  method: 'POST',
  body: JSON.stringify({
    template: parseYaml(
      fs.readFileSync(
        path.join(repoRoot, 'templates', template, 'template.yaml'),
        'utf8',
      ),
    ),
    values: parseYaml(
      fs.readFileSync(
        path.join(repoRoot, 'templates', template, 'example-values.yaml'),
        'utf8',
      ),
    ),
    directoryContents,
  }),
});
const failedSteps = (dryRun.body.log ?? [])
  .map(l => l.body)
  .filter(b => b.status === 'failed');
check(
  `the ${template} template dry-runs`,
  dryRun.status === 200 && failedSteps.length === 0,
  dryRun.status === 200
    ? `${dryRun.body.steps?.length ?? 0} steps, ${failedSteps.length} failed`
    : `HTTP ${dryRun.status} ${JSON.stringify(dryRun.body).slice(0, 300)}`,
);

console.log(
  `install proof HTTP checks: ${
    failures === 0 ? 'all passed' : `${failures} failed`
  }`,
);
process.exit(failures === 0 ? 0 : 1);
