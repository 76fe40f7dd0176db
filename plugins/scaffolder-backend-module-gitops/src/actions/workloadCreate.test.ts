import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runValidator } from '../lib/validator';
import {
  copyWorkspace,
  hashTree,
  mockContext,
  REPO_ROOT,
  requireValidator,
} from '../__testUtils__/workspace';
import { describeExamples } from '../__testUtils__/examples';
import { createWorkloadCreateAction } from './workloadCreate';

// These tests copy the tree and run the Go validator; the machine is shared.
jest.setTimeout(60_000);

const action = createWorkloadCreateAction();
const input = {
  name: 'notes',
  kind: 'StatefulSet',
  providers: ['hetzner', 'scaleway'],
  image: 'ghcr.io/cloudlab/notes:2.1.0',
  port: 3000,
  storage: {
    size: '10Gi',
    classes: [{ provider: 'scaleway', class: 'scw-bssd-retain' }],
  },
};

describe('cloudlab:workload:create', () => {
  let ws: string;
  beforeEach(() => {
    ws = copyWorkspace();
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('writes base and overlays that validate, and a second run changes nothing', async () => {
    const first = mockContext(ws, input);
    await action.handler(first.ctx as any);
    expect(first.outputs.created).toEqual([
      'gitops/apps/notes/base/kustomization.yaml',
      'gitops/apps/notes/base/namespace.yaml',
      'gitops/apps/notes/base/networkpolicy.yaml',
      'gitops/apps/notes/base/persistentvolumeclaim.yaml',
      'gitops/apps/notes/base/service.yaml',
      'gitops/apps/notes/base/serviceaccount.yaml',
      'gitops/apps/notes/base/statefulset.yaml',
      'gitops/apps/notes/hetzner/kustomization.yaml',
      'gitops/apps/notes/scaleway/kustomization.yaml',
    ]);
    const overlay = parseAllDocuments(
      fs.readFileSync(
        path.join(ws, 'gitops/apps/notes/scaleway/kustomization.yaml'),
        'utf8',
      ),
    )[0].toJS();
    expect(overlay.namespace).toBe('notes-scaleway');
    expect(overlay.components).toEqual([
      '../../../components/provider-scaleway',
      '../../../components/network-baseline',
    ]);
    expect(overlay.patches[0].patch).toContain('scw-bssd-retain');

    const before = hashTree(ws);
    const second = mockContext(ws, input);
    await action.handler(second.ctx as any);
    expect(second.outputs).toEqual({ created: [], changed: [] });
    expect(hashTree(ws)).toBe(before);

    const binary = requireValidator();
    if (!binary) return;
    const result = await runValidator({
      binary,
      treeRoot: ws,
      crdDir: path.join(REPO_ROOT, '.cache/crds'),
      timeoutMs: 120_000,
    });
    expect(result.findings).toEqual([]);
  });

  it('dry run reports the files and writes nothing', async () => {
    const before = hashTree(ws);
    const dry = mockContext(ws, input, true);
    await action.handler(dry.ctx as any);
    expect((dry.outputs.created as string[]).length).toBe(9);
    expect(hashTree(ws)).toBe(before);
  });

  it.each([
    [{ providers: ['ovhcloud'] }, "providers.0: unknown provider 'ovhcloud'"],
    [
      { providers: ['hetzner', 'hetzner'] },
      "providers.1: 'hetzner' is listed twice",
    ],
    [
      { storage: { size: '5Gi' } },
      "storage.size: 5Gi is below hetzner's minimum volume size 10Gi",
    ],
    [{ storage: { size: '20G' } }, 'storage.size: hetzner allocates whole GiB'],
    [
      {
        storage: {
          size: '10Gi',
          classes: [{ provider: 'hetzner', class: 'scw-bssd' }],
        },
      },
      "storage.classes.0.class: 'scw-bssd' is not a storage class of hetzner (it belongs to scaleway)",
    ],
    [{ name: 'Bad_Name' }, 'name: must be a DNS-1123 label'],
    [
      { name: 'pihole', storage: undefined },
      "name: workload 'pihole' already exists at gitops/apps/pihole",
    ],
    [
      { image: 'x\n---\nkind: Secret' },
      'image: must be a container image reference',
    ],
  ])('refuses %j', async (patch, message) => {
    const before = hashTree(ws);
    const { ctx } = mockContext(ws, { ...input, ...patch });
    await expect(action.handler(ctx as any)).rejects.toThrow(message);
    expect(hashTree(ws)).toBe(before);
  });
});

describeExamples(action, { workspace: copyWorkspace });
