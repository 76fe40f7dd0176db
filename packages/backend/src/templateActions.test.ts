import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';

// Every action a template of this repository uses - each publish target included - is
// registered by a scaffolder module this backend installs (src/index.ts). A template offering
// `publish: gitlab` while the GitLab module is not installed would fail only when a user ran it.
const root = path.resolve(__dirname, '../../..');

jest.setTimeout(120_000);

/** The scaffolder plugin and modules `src/index.ts` adds, in its order. */
function installedScaffolderPackages(): string[] {
  const index = fs.readFileSync(path.join(__dirname, 'index.ts'), 'utf8');
  return [...index.matchAll(/backend\.add\(import\('([^']+)'\)\)/g)]
    .map(m => m[1])
    .filter(p => /\/plugin-scaffolder-backend(-module-[a-z-]+)?$/.test(p));
}

/** `action id -> template files using it`, over every template templates/all.yaml lists. */
function templateActions(): Map<string, string[]> {
  const dir = path.join(root, 'templates');
  const targets: string[] = parse(
    fs.readFileSync(path.join(dir, 'all.yaml'), 'utf8'),
  ).spec.targets;
  const used = new Map<string, string[]>();
  for (const target of targets) {
    const template = parse(fs.readFileSync(path.join(dir, target), 'utf8'));
    for (const step of template.spec.steps as { action: string }[])
      used.set(step.action, [...(used.get(step.action) ?? []), target]);
  }
  return used;
}

describe('the backend installs every action the templates use', () => {
  it('registers each of them', async () => {
    const packages = installedScaffolderPackages();
    expect(packages).toEqual(
      expect.arrayContaining([
        '@backstage/plugin-scaffolder-backend',
        '@backstage/plugin-scaffolder-backend-module-github',
        '@backstage/plugin-scaffolder-backend-module-gitlab',
      ]),
    );
    // Jest runs without ESM support, so the modules are loaded as CommonJS.
    const features = packages.map(
      p => jest.requireActual<{ default: BackendFeature }>(p).default,
    );
    const backend = await startTestBackend({
      features: [
        ...features,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            cloudlab: {
              gitopsTree: { local: { path: root }, fluxPath: 'gitops' },
              providers: { directory: path.join(root, 'providers') },
              gitops: { publish: 'local', localRepository: '/nonexistent' },
            },
          },
        }),
      ],
    });
    try {
      const res = await request(backend.server).get(
        '/api/scaffolder/v2/actions',
      );
      expect(res.status).toBe(200);
      const registered = new Set((res.body as { id: string }[]).map(a => a.id));
      const missing = [...templateActions()]
        .filter(([id]) => !registered.has(id))
        .map(([id, targets]) => `${id} (used by ${targets.join(', ')})`);
      expect(missing).toEqual([]);
      expect(registered.has('publish:gitlab:merge-request')).toBe(true);
    } finally {
      await backend.stop();
    }
  });
});
