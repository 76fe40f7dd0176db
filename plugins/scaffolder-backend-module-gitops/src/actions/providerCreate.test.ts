import fs from 'node:fs';
import path from 'node:path';
import {
  copyWorkspace,
  hashTree,
  mockContext,
  CRD_PATH,
  REPO_ROOT,
  requireValidator,
  VALIDATOR,
} from '../__testUtils__/workspace';
import { describeExamples } from '../__testUtils__/examples';
import { createActions } from '.';

// These tests copy the tree and run the Go validator; the machine is shared.
jest.setTimeout(60_000);

const actions = createActions({
  publish: 'local',
  defaultBranch: 'main',
  sourceTree: REPO_ROOT,
  crdPath: CRD_PATH,
  validatorPath: VALIDATOR,
  validatorTimeoutSeconds: 120,
});
const action = (id: string) => actions.find(a => a.id === id)!;

const ovh = {
  name: 'ovhcloud',
  displayName: 'OVHcloud',
  regions: [
    { name: 'eu-west-gra', country: 'FR', eu: true, zones: ['eu-west-gra-a'] },
    {
      name: 'eu-central-waw',
      country: 'PL',
      eu: true,
      zones: ['eu-central-waw-a'],
    },
    { name: 'ca-east-bhs', country: 'CA', eu: false, zones: ['ca-east-bhs-a'] },
  ],
  csiDriver: 'cinder.csi.openstack.org',
  topologyKey: 'topology.cinder.csi.openstack.org/zone',
  topologyLevel: 'zone',
  minVolumeSize: '1Gi',
  wholeGiB: true,
  classes: [{ name: 'csi-cinder-high-speed' }],
};

describe('cloudlab:provider:create', () => {
  let ws: string;
  beforeEach(() => {
    ws = copyWorkspace();
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('onboards a third provider that a new workload can then use; the tree validates', async () => {
    const first = mockContext(ws, ovh);
    await action('cloudlab:provider:create').handler(first.ctx);
    expect(first.outputs.created).toContain('providers/ovhcloud.yaml');
    const before = hashTree(ws);
    const again = mockContext(ws, ovh);
    await action('cloudlab:provider:create').handler(again.ctx);
    expect(again.outputs).toEqual({ created: [], changed: [] });
    expect(hashTree(ws)).toBe(before);

    await action('cloudlab:workload:create').handler(
      mockContext(ws, {
        name: 'hello',
        providers: ['ovhcloud', 'hetzner'],
        image: 'ghcr.io/cloudlab/hello:1.0.0',
        port: 8080,
        storage: { size: '10Gi' },
      }).ctx,
    );
    await action('cloudlab:flux-kustomization:create').handler(
      mockContext(ws, { workload: 'hello', dependsOn: ['platform-policy'] })
        .ctx,
    );
    expect(
      fs.readFileSync(
        path.join(ws, 'gitops/apps/hello/ovhcloud/kustomization.yaml'),
        'utf8',
      ),
    ).toContain('components/provider-ovhcloud');
    if (!requireValidator()) return;
    const m = mockContext(ws, { regenerate: true });
    await action('cloudlab:gitops:validate').handler(m.ctx);
    expect(m.outputs.findings).toEqual([]);
  });

  it('refuses an existing provider and a registry with no EU region', async () => {
    const before = hashTree(ws);
    await expect(
      action('cloudlab:provider:create').handler(
        mockContext(ws, { ...ovh, name: 'hetzner' }).ctx,
      ),
    ).rejects.toThrow("name: provider 'hetzner' is already in the registry");
    await expect(
      action('cloudlab:provider:create').handler(
        mockContext(ws, { ...ovh, regions: [ovh.regions[2]] }).ctx,
      ),
    ).rejects.toThrow('regions: at least one region must be in the EU');
    expect(hashTree(ws)).toBe(before);
  });
});

describeExamples(action('cloudlab:provider:create'), {
  workspace: copyWorkspace,
});
