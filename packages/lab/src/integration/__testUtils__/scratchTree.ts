import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { scratchGitRepository } from '../labFixture';

/**
 * A scratch repository's cluster tree for the GitOps proofs that commit to one (the lab's Git
 * server serves the shared `main`, which a proof must not change).
 */

type Obj = Record<string, any>;

/** A Flux Kustomization of `flux-system` applying `dir` of the GitRepository `source`. */
export const fluxKustomization = (
  name: string,
  dir: string,
  source: string,
): Obj => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system' },
  spec: {
    interval: '1m',
    retryInterval: '5s',
    path: `./${dir}`,
    prune: true,
    sourceRef: { kind: 'GitRepository', name: source },
  },
});

export const deployment = (
  name: string,
  namespace: string,
  replicas: number,
) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        nodeSelector: { 'cfke.io/provider': 'scaleway' },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'web',
            image: 'proof:1',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    },
  },
});

/** Writes YAML documents to `file` under `root`, creating its folder. */
export function writeDocs(root: string, file: string, docs: object[]) {
  const target = path.join(root, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, docs.map(d => `---\n${YAML.stringify(d)}`).join(''));
}

/**
 * The scratch repository's tree as `flux bootstrap` lays one out: the cluster `lab` with its sync
 * pair, a namespace, the apps layer (one Flux Kustomization per app) and each app's folder.
 */
export function writeTree(work: string, name: string, apps: string[]) {
  const cluster = 'gitops/clusters/lab';
  writeDocs(work, `${cluster}/flux-system/gitrepository.yaml`, [
    scratchGitRepository(name),
  ]);
  writeDocs(work, `${cluster}/flux-system/sync.yaml`, [
    fluxKustomization(name, cluster, name),
  ]);
  writeDocs(work, `${cluster}/namespace.yaml`, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  ]);
  writeDocs(
    work,
    `${cluster}/apps.yaml`,
    apps.map(app =>
      fluxKustomization(`${name}-${app}`, `gitops/apps/${app}`, name),
    ),
  );
  for (const app of apps) {
    writeDocs(work, `gitops/apps/${app}/kustomization.yaml`, [
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['deployment.yaml'],
      },
    ]);
    writeDocs(work, `gitops/apps/${app}/deployment.yaml`, [
      deployment(`${name}-${app}`, name, 2),
    ]);
  }
}
