import { createProviderRegistry } from '@cloudlab/plugin-multi-provider-common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DesiredStorageService } from './DesiredStorageService';
import {
  defaultKustomizeCommand,
  GitopsTreeProvider,
  LocalTreeProvider,
  LocalTreeSource,
  TreeSnapshot,
} from '@cloudlab/plugin-multi-provider-node';

const repoRoot = path.resolve(__dirname, '../../../..');
const registry = createProviderRegistry(
  fs
    .readdirSync(path.join(repoRoot, 'providers'))
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f =>
      parseAllDocuments(
        fs.readFileSync(path.join(repoRoot, 'providers', f), 'utf8'),
      ).map(d => d.toJSON()),
    ),
);

function write(root: string, file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

const flux = (name: string, p: string) => `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec: {path: ./gitops/${p}, interval: 10m, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
`;

/** A claim of the Scaleway class under a Deployment pinned to Hetzner. */
const SHOP_APP = `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  storageClassName: scw-bssd
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 5Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      nodeSelector: {cfke.io/provider: hetzner}
      containers: [{name: shop, image: shop}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;

/** A tree with one mistake: a Scaleway class under a Deployment pinned to Hetzner, 5Gi. */
function tree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'desired-storage-'));
  write(
    root,
    'gitops/clusters/review/apps.yaml',
    flux('storage', 'storage') + flux('shop', 'apps/shop'),
  );
  write(
    root,
    'gitops/storage/kustomization.yaml',
    'resources: [classes.yaml]\n',
  );
  write(
    root,
    'gitops/storage/classes.yaml',
    `---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: hcloud-volumes}
provisioner: csi.hetzner.cloud
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: scw-bssd}
provisioner: csi.scaleway.com
volumeBindingMode: WaitForFirstConsumer
`,
  );
  write(
    root,
    'gitops/apps/shop/kustomization.yaml',
    'namespace: shop\nresources: [app.yaml]\n',
  );
  write(root, 'gitops/apps/shop/app.yaml', SHOP_APP);
  return root;
}

/** The service over `tree`, for the cluster `review`, reusing a rendering for `refreshMs`. */
const desiredStorage = (provider: GitopsTreeProvider, refreshMs: number) =>
  new DesiredStorageService(
    {
      fluxPath: 'gitops',
      defaultCluster: 'review',
      kustomize: defaultKustomizeCommand(repoRoot),
      refreshMs,
    },
    () => registry,
    provider,
  );

describe('DesiredStorageService', () => {
  it('shows the claim a Kustomization will create and the cross-provider mistake before merge', async () => {
    const root = tree();
    const service = desiredStorage(new LocalTreeProvider(root), 60_000);
    const answer = await service.desiredStorage();
    expect(answer.clusters).toEqual(['review']);
    const shop = answer.kustomizations.find(k => k.name === 'shop')!;
    expect(shop.error).toBeUndefined();
    expect(shop.claims).toEqual([
      {
        namespace: 'shop',
        name: 'data',
        storageClassName: 'scw-bssd',
        provider: 'scaleway',
        requested: '5Gi',
        accessModes: ['ReadWriteOnce'],
        workloads: [
          { kind: 'Deployment', name: 'shop', pinnedProvider: 'hetzner' },
        ],
      },
    ]);
    expect(shop.findings.map(f => f.id)).toEqual(['claim-provider-conflict']);
    // The classes come from the other Kustomization; no claim, no finding there.
    const storage = answer.kustomizations.find(k => k.name === 'storage')!;
    expect(storage.storageClasses).toEqual(['hcloud-volumes', 'scw-bssd']);
    expect(storage.findings).toEqual([]);
    expect(answer.findings).toEqual([]);
    // Reused within refreshMs: the same answer object.
    expect(await service.desiredStorage()).toBe(answer);
  });

  it('reports a Kustomization that does not render, and an unknown tree', async () => {
    const root = tree();
    write(
      root,
      'gitops/apps/shop/kustomization.yaml',
      'resources: [missing.yaml]\n',
    );
    const service = desiredStorage(new LocalTreeProvider(root), 0);
    const answer = await service.desiredStorage();
    expect(answer.kustomizations.find(k => k.name === 'shop')!.error).toMatch(
      /missing\.yaml/,
    );
    await expect(service.desiredStorage('nope')).rejects.toThrow(
      /No cluster tree nope/,
    );
  });

  it("renders a Kustomization in another source of the provider there, and follows that source's revisions", async () => {
    const root = tree();
    // The shop moved to its team's repository, which Flux reads as an OCIRepository.
    write(
      root,
      'gitops/clusters/review/apps.yaml',
      `${flux('storage', 'storage')}---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: shop, namespace: flux-system}
spec: {path: ./shop, interval: 10m, prune: true, sourceRef: {kind: OCIRepository, name: shop}}
`,
    );
    fs.rmSync(path.join(root, 'gitops/apps'), { recursive: true });
    const shopRevision = (revision: string, size: string): TreeSnapshot => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'desired-shop-'));
      write(
        dir,
        'shop/kustomization.yaml',
        'namespace: shop\nresources: [app.yaml]\n',
      );
      write(dir, 'shop/app.yaml', SHOP_APP.replace('5Gi', size));
      return {
        source: new LocalTreeSource(dir),
        origin: {
          kind: 'flux',
          location: 'OCIRepository/flux-system/shop',
          revision,
        },
      };
    };
    const platform = (await new LocalTreeProvider(root).current()).source;
    let shop = shopRevision('1.0.0@sha256:aa', '5Gi');
    const provider: GitopsTreeProvider = {
      description: 'two sources',
      current: async () => ({
        source: platform,
        origin: {
          kind: 'flux',
          location: 'GitRepository/flux-system/flux-system',
          revision: 'p1',
        },
      }),
      subscribe: () => () => {},
      sources: () => new Map([['OCIRepository/flux-system/shop', shop]]),
    };
    const service = desiredStorage(provider, 60_000);
    const claimOf = async () => {
      const k = (await service.desiredStorage()).kustomizations.find(
        x => x.name === 'shop',
      )!;
      expect(k.error).toBeUndefined();
      return k.claims.map(c => `${c.namespace}/${c.name} ${c.requested}`);
    };
    expect(await claimOf()).toEqual(['shop/data 5Gi']);
    // A new revision of the shop's source alone: the rendering is not reused.
    shop = shopRevision('1.1.0@sha256:bb', '10Gi');
    expect(await claimOf()).toEqual(['shop/data 10Gi']);
  });

  it('reads the tree once per snapshot, and a new revision only where it changed', async () => {
    /** A folder whose reads are counted (a subclass: the cache then reads through it). */
    class CountingSource extends LocalTreeSource {
      readonly reads: string[] = [];
      async readText(rel: string) {
        this.reads.push(rel);
        return super.readText(rel);
      }
      async stat(rel: string) {
        return super.stat(rel);
      }
    }
    const first = new CountingSource(tree());
    let root: TreeSnapshot = {
      source: first,
      origin: { kind: 'flux', location: 'GitRepository/x/y', revision: 'r1' },
    };
    const provider: GitopsTreeProvider = {
      description: 'revisions',
      current: async () => root,
      subscribe: () => () => {},
    };
    // Nothing reused by time: every request computes.
    const service = desiredStorage(provider, 0);
    const requested = async () =>
      (await service.desiredStorage()).kustomizations
        .find(k => k.name === 'shop')!
        .claims.map(c => c.requested);
    expect(await requested()).toEqual(['5Gi']);
    const firstReads = first.reads.length;
    expect(first.reads).toContain('gitops/apps/shop/app.yaml');
    expect(await requested()).toEqual(['5Gi']);
    expect(first.reads).toHaveLength(firstReads);

    // The next revision, as a Flux provider extracts it: a new folder, one file changed.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'desired-next-'));
    fs.cpSync(first.localRoot, dir, { recursive: true });
    write(dir, 'gitops/apps/shop/app.yaml', SHOP_APP.replace('5Gi', '10Gi'));
    const second = new CountingSource(dir);
    root = {
      source: second,
      origin: { kind: 'flux', location: 'GitRepository/x/y', revision: 'r2' },
      changes: { since: first, paths: new Set(['gitops/apps/shop/app.yaml']) },
    };
    expect(await requested()).toEqual(['10Gi']);
    expect(second.reads).toEqual(['gitops/apps/shop/app.yaml']);
    expect(first.reads).toHaveLength(firstReads);
    for (const d of [first.localRoot, dir]) {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
