import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labPaths } from '../paths';
import { labPortsConfigMap, VAULT_CA_SECRET } from './loop/components';
import { FORGE_REPO } from './loop/forge';
import { CHARTS_PATH } from './loop/gitServer';
import { renderLabTree } from './renderLabTree';

const paths = labPaths();

// Each case copies the tree and runs kustomize per layer; the machine is shared.
jest.setTimeout(60_000);

/** A copy of the repository's gitops/ tree to break on purpose. */
function copyOfTree(): { root: string; clusterDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-tree-'));
  fs.cpSync(path.join(paths.root, 'gitops'), path.join(root, 'gitops'), {
    recursive: true,
  });
  return { root, clusterDir: path.join(root, 'gitops', 'clusters', 'lab') };
}

describe('renderLabTree', () => {
  it('renders the lab cluster tree: the cluster directory, then each Flux Kustomization after what it depends on', async () => {
    const ports = labPortsConfigMap();
    const tree = await renderLabTree(paths.root, paths.gitopsCluster, {
      [ports.metadata.name]: ports.data,
    });
    const kinds = new Set(tree.clusterObjects.map(o => o.kind));
    expect(kinds).toContain('GitRepository');
    const names = tree.layers.map(l => l.kustomization.name);
    // The cluster directory is the root Kustomization's: it is not rendered again as a layer.
    expect(names).not.toContain('flux-system');
    expect(names.length).toBeGreaterThan(3);
    for (const [i, layer] of tree.layers.entries()) {
      for (const dep of layer.kustomization.dependsOn) {
        expect(names.indexOf(dep.name)).toBeLessThan(i);
      }
      expect(layer.objects.length).toBeGreaterThan(0);
    }
  });

  it('points the VaultConnection at the lab OpenBao over https, verified with the CA Secret the lab writes', async () => {
    const ports = labPortsConfigMap();
    const tree = await renderLabTree(paths.root, paths.gitopsCluster, {
      [ports.metadata.name]: ports.data,
    });
    const connections = tree.layers
      .flatMap(l => l.objects)
      .filter(o => o.kind === 'VaultConnection') as any[];
    expect(connections).toHaveLength(1);
    const [conn] = connections;
    expect(conn.metadata.namespace).toBe(VAULT_CA_SECRET.namespace);
    expect(conn.spec.address).toBe(
      `https://127.0.0.1:${ports.data.cloudlab_lab_vault_port}`,
    );
    expect(conn.spec.caCertSecretRef).toBe(VAULT_CA_SECRET.name);
    expect(conn.spec.skipTLSVerify).not.toBe(true);
  });

  it('points every Flux source of the lab tree at this machine: the chart sources at the Git server’s “no such chart” path', async () => {
    const ports = { ...labPortsConfigMap().data, cloudlab_lab_git_port: '18480' };
    const tree = await renderLabTree(paths.root, paths.gitopsCluster, {
      'cloudlab-lab-ports': ports,
    });
    const objects = [
      ...tree.clusterObjects,
      ...tree.layers.flatMap(l => l.objects),
    ];
    const sources = objects.filter(
      o =>
        (o.apiVersion ?? '').startsWith('source.toolkit.fluxcd.io/') &&
        typeof (o as any).spec?.url === 'string',
    );
    const helm = sources.filter(o => o.kind === 'HelmRepository');
    // The production overlay has chart sources; the lab must carry every one of them.
    expect(helm.length).toBeGreaterThan(0);
    for (const o of helm) {
      expect(`${o.metadata.name}: ${(o as any).spec.url}`).toBe(
        `${o.metadata.name}: http://127.0.0.1:18480${CHARTS_PATH}`,
      );
    }
    for (const o of sources) {
      expect(new URL((o as any).spec.url).hostname).toBe('127.0.0.1');
    }
  });

  it('points the flux-system GitRepository at the GitOps repository on the lab’s forge, on the port of the ConfigMap', async () => {
    const ports = { ...labPortsConfigMap().data, cloudlab_lab_forge_port: '18481' };
    const tree = await renderLabTree(paths.root, paths.gitopsCluster, {
      'cloudlab-lab-ports': ports,
    });
    const root = tree.clusterObjects.find(
      o => o.kind === 'GitRepository' && o.metadata.name === 'flux-system',
    ) as any;
    expect(root.spec.url).toBe(
      `http://127.0.0.1:18481/${FORGE_REPO.owner}/${FORGE_REPO.name}.git`,
    );
    expect(root.spec.ref).toEqual({ branch: 'main' });
  });

  it('refuses a cluster tree with a Flux Kustomization it cannot read, naming the file', async () => {
    const { root, clusterDir } = copyOfTree();
    const apps = path.join(clusterDir, 'apps.yaml');
    fs.writeFileSync(
      apps,
      fs.readFileSync(apps, 'utf8').replace(/ {2}path: .*\n/, ''),
    );
    await expect(renderLabTree(root, clusterDir)).rejects.toThrow(
      /gitops\/clusters\/lab\/apps\.yaml: Flux Kustomization .* has no spec\.path/,
    );
  });

  it('refuses a tree whose layer does not render, with kustomize’s own error', async () => {
    const { root, clusterDir } = copyOfTree();
    fs.writeFileSync(
      path.join(root, 'gitops/apps/pihole/hetzner/kustomization.yaml'),
      'resources:\n  - ../missing-overlay\n',
    );
    await expect(renderLabTree(root, clusterDir)).rejects.toThrow(
      /missing-overlay/,
    );
  });

  it('says so when there is no such cluster tree', async () => {
    await expect(
      renderLabTree(paths.root, path.join(paths.root, 'gitops/clusters/none')),
    ).rejects.toThrow('no cluster tree at gitops/clusters/none');
  });
});
