import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { startScaffolder } from './__testUtils__/scaffolderBackend';
import { REPO_ROOT, REPOSITORY_TREE } from './__testUtils__/workspace';
import { loadTemplateExamples } from './templateExamples';

// These tests copy the tree and run the Go validator; the machine is shared.
jest.setTimeout(60_000);

// The module in the real scaffolder backend: every template dry-runs through the scaffolder's
// own API (Nunjucks rendering, `if:` on the checkout output, JSON Schema input validation,
// our dry-run overlay across steps, validation of the would-be tree).

function treeContents() {
  const files: { path: string; base64Content: string }[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(REPO_ROOT, rel), {
      withFileTypes: true,
    })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) {
        files.push({
          path: child,
          base64Content: fs
            .readFileSync(path.join(REPO_ROOT, child))
            .toString('base64'),
        });
      }
    }
  };
  REPOSITORY_TREE.forEach(walk);
  return files;
}

const template = (name: string) =>
  parse(
    fs.readFileSync(
      path.join(REPO_ROOT, 'templates', name, 'template.yaml'),
      'utf8',
    ),
  );

/** Each template's example form values (templates/<name>/example-values.yaml). */
const values = loadTemplateExamples(path.join(REPO_ROOT, 'templates'));

describe('scaffolderModuleGitops in the scaffolder backend', () => {
  let server: any;
  const contents = treeContents();

  beforeAll(async () => {
    server = await startScaffolder({ localRepository: '/nonexistent/lab.git' });
  });

  it('registers every cloudlab action', async () => {
    const res = await request(server).get('/api/scaffolder/v2/actions');
    expect(res.status).toBe(200);
    const ids = (res.body as { id: string }[])
      .map(a => a.id)
      .filter(id => id.startsWith('cloudlab:'));
    expect(ids.sort()).toEqual([
      'cloudlab:catalog-entry:create',
      'cloudlab:flux-kustomization:create',
      'cloudlab:git:commit',
      'cloudlab:gitops:checkout',
      'cloudlab:gitops:validate',
      'cloudlab:provider:create',
      'cloudlab:tailscale:expose',
      'cloudlab:vault-secret:create',
      'cloudlab:workload:create',
    ]);
  });

  it('serves the provider registry for the provider picker', async () => {
    const res = await request(server).get('/api/scaffolder/cloudlab/providers');
    expect(res.status).toBe(200);
    const names = (res.body.providers as { name: string }[]).map(p => p.name);
    const files = fs
      .readdirSync(path.join(REPO_ROOT, 'providers'))
      .filter(f => f.endsWith('.yaml'))
      .map(f => f.replace(/\.yaml$/, ''));
    expect(names.sort()).toEqual(files.sort());
    const hetzner = res.body.providers.find(
      (p: { name: string }) => p.name === 'hetzner',
    );
    expect(hetzner.storage.minVolumeSize).toBe('10Gi');
    expect(hetzner.storage.classes.length).toBeGreaterThan(0);
  });

  it.each(Object.keys(values))(
    'dry-runs the %s template',
    async name => {
      const res = await request(server)
        .post('/api/scaffolder/v2/dry-run')
        .send({
          template: template(name),
          values: values[name],
          directoryContents: contents,
        });
      const failed = (res.body.log ?? [])
        .map((l: { body: { message?: string; status?: string } }) => l.body)
        .filter((b: { status?: string }) => b.status === 'failed');
      expect({
        status: res.status,
        failed,
        error: res.status === 200 ? undefined : res.body,
      }).toEqual({
        status: 200,
        failed: [],
      });
      const steps = (res.body.log ?? [])
        .map((l: { body: { stepId?: string; status?: string } }) => l.body)
        .filter((b: { status?: string }) => b.status === 'completed')
        .map((b: { stepId?: string }) => b.stepId);
      expect(steps).toContain('validate');
      expect(steps).toContain('commit');
      expect(steps).not.toContain('pr');
    },
    60_000,
  );
});
