import type { GitopsTreeProvider, TreeSnapshot } from './GitopsTreeProvider';
import { LocalTreeSource } from './TreeSource';
import { currentSnapshots } from './TreeSnapshots';

const snap = (
  dir: string,
  location: string,
  revision: string,
): TreeSnapshot => ({
  source: new LocalTreeSource(dir),
  origin: { kind: 'flux', location, revision },
});
const root = snap(
  '/trees/platform',
  'GitRepository/flux-system/flux-system',
  'p1',
);
const tenant = snap('/trees/tenant', 'GitRepository/flux-system/tenant', 't1');
const tenantRef = {
  kind: 'GitRepository',
  namespace: 'flux-system',
  name: 'tenant',
};

const provider = (sources?: Map<string, TreeSnapshot>): GitopsTreeProvider => ({
  description: 'test',
  current: async () => root,
  subscribe: () => () => {},
  ...(sources ? { sources: () => sources } : {}),
});

describe('currentSnapshots', () => {
  it("resolves the provider's other sources and names the one a Kustomization was read from", async () => {
    const s = await currentSnapshots(
      provider(new Map([['GitRepository/flux-system/tenant', tenant]])),
    );
    expect(s.resolveSource(tenantRef)).toBe(tenant.source);
    expect(
      s.snapshotOf({
        sourceRef: tenantRef,
        sourceTree: tenant.source.description,
      }),
    ).toBe(tenant);
    // Read from the tree itself: the root.
    expect(s.snapshotOf({ sourceRef: tenantRef })).toBe(root);
    // Read from another tree than the source's (an ArtifactGenerator's view of the root): the root.
    expect(
      s.snapshotOf({
        sourceRef: tenantRef,
        sourceTree: 'ArtifactGenerator view',
      }),
    ).toBe(root);
    expect(s.revisions).toBe(
      'GitRepository/flux-system/flux-system@p1\nGitRepository/flux-system/tenant@t1',
    );
  });

  it("places a file of an ArtifactGenerator's view in the source it was copied from", async () => {
    const s = await currentSnapshots(
      provider(new Map([['GitRepository/flux-system/tenant', tenant]])),
    );
    const k = {
      sourceRef: {
        kind: 'ExternalArtifact',
        namespace: 'flux-system',
        name: 'v',
      },
      sourceTree: 'ExternalArtifact v (ArtifactGenerator flux-system/g)',
      generatedBy: {
        generator: 'flux-system/g',
        artifact: 'v',
        copiedFrom: {
          'a.yaml': {
            sourceTree: tenant.source.description,
            path: 'deep/a.yaml',
          },
          'b.yaml': { sourceTree: root.source.description, path: 'b.yaml' },
        },
      },
    };
    const generator = 'ArtifactGenerator flux-system/g, ExternalArtifact v';
    expect(s.fileOrigin(k, 'a.yaml')).toEqual({
      snapshot: tenant,
      path: 'deep/a.yaml',
      generator,
    });
    expect(s.fileOrigin(k, 'b.yaml')).toEqual({
      snapshot: root,
      path: 'b.yaml',
      generator,
    });
    // A file of another source: that source's snapshot, same path.
    expect(
      s.fileOrigin(
        { sourceRef: tenantRef, sourceTree: tenant.source.description },
        'x.yaml',
      ),
    ).toEqual({ snapshot: tenant, path: 'x.yaml' });
  });

  it('resolves nothing for a provider of one tree', async () => {
    const s = await currentSnapshots(provider());
    expect(s.resolveSource(tenantRef)).toBeUndefined();
    expect(s.sources.size).toBe(0);
    expect(s.revisions).toBe('GitRepository/flux-system/flux-system@p1');
  });
});
