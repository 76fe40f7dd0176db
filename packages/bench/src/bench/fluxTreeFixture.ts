import fs from 'node:fs/promises';
import path from 'node:path';

/** What {@link writeFluxTree} wrote: the figures a benchmark divides by. */
export interface FluxTreeStats {
  clusters: string[];
  /** Flux Kustomizations (sync, layers and apps). */
  fluxKustomizations: number;
  /** Kubernetes objects in the YAML files (kustomize's own `kustomization.yaml` not counted). */
  objects: number;
  files: number;
  /** Files a benchmark may rewrite: an app's Deployment and an app's Flux Kustomization. */
  deploymentFile: (cluster: number, app: number) => string;
  appKustomizationFile: (cluster: number, app: number) => string;
}

const yamlDocs = (docs: string[]) =>
  docs.map(d => `---\n${d.trim()}\n`).join('');

const TEAMS = ['payments', 'search', 'identity', 'media', 'data', 'growth'];

/**
 * A synthetic GitOps tree laid out as adopters lay theirs out, under `<root>/gitops` (the source
 * root is `root`, so Flux paths read `./gitops/...`). Per cluster: the flux-system sync pair,
 * a cluster-vars ConfigMap, and three layered Flux Kustomizations (infrastructure → platform →
 * apps, by dependsOn); the apps layer is a directory of one Flux Kustomization per app, each
 * reconciling the app's own folder (kustomization.yaml, Deployment, Service, PVC, ConfigMap,
 * ServiceAccount + Role + RoleBinding, HPA + PDB + NetworkPolicy). Every third app has a
 * namePrefix, every second a targetNamespace, every fifth postBuild substitution from the
 * cluster-vars ConfigMap (every tenth also names a Secret, which the reader never reads).
 */
export async function writeFluxTree(
  root: string,
  options: { clusters: number; kustomizations: number },
): Promise<FluxTreeStats> {
  const clusters = Array.from({ length: options.clusters }, (_, i) =>
    i === 0 ? 'production' : `region-${i}`,
  );
  // Per cluster: the sync Kustomization and three layers, the rest are apps.
  const appsPerCluster = Math.max(
    1,
    Math.floor(options.kustomizations / options.clusters) - 4,
  );
  let objects = 0;
  let files = 0;
  let fluxKustomizations = 0;
  const gitops = path.join(root, 'gitops');
  const write = async (rel: string, docs: string[], isObjects = true) => {
    const file = path.join(gitops, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, yamlDocs(docs));
    files++;
    if (isObjects) objects += docs.length;
  };
  const fluxKustomization = (name: string, p: string, extra: string[] = []) => {
    fluxKustomizations++;
    return `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ./gitops/${p}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${extra.map(l => `  ${l}`).join('\n')}`;
  };
  const kustomizeFile = (resources: string[], extra: string[] = []) => `
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${resources.map(r => `  - ${r}`).join('\n')}
${extra.join('\n')}`;

  for (const [c, cluster] of clusters.entries()) {
    const base = `clusters/${cluster}`;
    await write(`${base}/flux-system/gotk-sync.yaml`, [
      `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: https://git.example.test/platform/fleet.git
  ref:
    branch: main`,
      fluxKustomization('flux-system', base),
    ]);
    await write(
      `${base}/flux-system/kustomization.yaml`,
      [kustomizeFile(['gotk-sync.yaml'])],
      false,
    );
    await write(`${base}/cluster-vars.yaml`, [
      `
apiVersion: v1
kind: ConfigMap
metadata:
  name: cluster-vars
  namespace: flux-system
data:
  cluster: ${cluster}
  region: eu-${c}
  domain: ${cluster}.example.test`,
    ]);
    await write(`${base}/infrastructure.yaml`, [
      fluxKustomization('infrastructure', `infrastructure/${cluster}`),
    ]);
    await write(`${base}/platform.yaml`, [
      fluxKustomization('platform', `platform/${cluster}`, [
        'dependsOn:',
        '  - name: infrastructure',
      ]),
    ]);
    await write(`${base}/apps.yaml`, [
      fluxKustomization('apps', `apps/${cluster}`, [
        'dependsOn:',
        '  - name: platform',
      ]),
    ]);

    await write(
      `infrastructure/${cluster}/kustomization.yaml`,
      [kustomizeFile(['storage.yaml', 'sources.yaml'])],
      false,
    );
    await write(
      `infrastructure/${cluster}/storage.yaml`,
      ['fast', 'standard', 'archive'].map(
        s => `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${s}
  labels:
    cloudlab.dev/provider: example
provisioner: csi.example.test
reclaimPolicy: ${s === 'archive' ? 'Retain' : 'Delete'}
volumeBindingMode: WaitForFirstConsumer`,
      ),
    );
    const charts = ['ingress', 'cert-manager', 'monitoring', 'logging'];
    await write(
      `infrastructure/${cluster}/sources.yaml`,
      charts.map(
        ch => `
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: ${ch}-chart
  namespace: flux-system
spec:
  interval: 1h
  url: oci://charts.example.test/${ch}
  ref:
    semver: ">=1.0.0"`,
      ),
    );
    await write(
      `platform/${cluster}/kustomization.yaml`,
      [kustomizeFile(charts.map(ch => `${ch}.yaml`))],
      false,
    );
    for (const ch of charts) {
      await write(`platform/${cluster}/${ch}.yaml`, [
        `
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${ch}-values
  namespace: ${ch}
data:
  values.yaml: |
    replicaCount: 2
    domain: \${domain}`,
        `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${ch}
  namespace: ${ch}
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: ${ch}-chart
    namespace: flux-system
  valuesFrom:
    - kind: ConfigMap
      name: ${ch}-values`,
      ]);
    }

    const appFiles: string[] = [];
    for (let a = 0; a < appsPerCluster; a++) {
      const app = `app-${String(a).padStart(4, '0')}`;
      const team = TEAMS[a % TEAMS.length];
      const extra: string[] = ['dependsOn:', '  - name: platform'];
      if (a % 3 === 0) extra.push(`namePrefix: ${team}-`);
      if (a % 2 === 0) extra.push(`targetNamespace: ${team}`);
      if (a % 5 === 0) {
        extra.push(
          'postBuild:',
          '  substitute:',
          `    app_tier: tier-${a % 3}`,
          '  substituteFrom:',
          '    - kind: ConfigMap',
          '      name: cluster-vars',
          ...(a % 10 === 0
            ? ['    - kind: Secret', `      name: ${app}-credentials`]
            : []),
        );
      }
      await write(`apps/${cluster}/${app}.yaml`, [
        fluxKustomization(app, `workloads/${cluster}/${app}`, extra),
      ]);
      appFiles.push(`${app}.yaml`);
      const dir = `workloads/${cluster}/${app}`;
      const ns = a % 2 === 0 ? team : `${team}-${app}`;
      const clusterRef = a % 5 === 0 ? '${cluster}' : cluster;
      await write(
        `${dir}/kustomization.yaml`,
        [
          kustomizeFile(
            [
              'deployment.yaml',
              'service.yaml',
              'storage.yaml',
              'config.yaml',
              'rbac.yaml',
              'policy.yaml',
            ],
            ['labels:', '  - pairs:', `      team: ${team}`],
          ),
        ],
        false,
      );
      await write(`${dir}/deployment.yaml`, [deployment(app, ns, clusterRef)]);
      await write(`${dir}/service.yaml`, [
        `
apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  selector:
    app.kubernetes.io/name: ${app}
  ports:
    - name: http
      port: 80
      targetPort: http`,
      ]);
      await write(`${dir}/storage.yaml`, [
        `
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${app}-data
  namespace: ${ns}
spec:
  storageClassName: ${a % 4 === 0 ? 'fast' : 'standard'}
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: ${1 + (a % 20)}Gi`,
      ]);
      await write(`${dir}/config.yaml`, [
        `
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config
  namespace: ${ns}
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout,${team}"
  REGION: ${a % 5 === 0 ? '${region}' : `eu-${c}`}`,
      ]);
      await write(`${dir}/rbac.yaml`, [
        `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${app}
  namespace: ${ns}`,
        `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${app}
  namespace: ${ns}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, watch]`,
        `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${app}
  namespace: ${ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${app}
subjects:
  - kind: ServiceAccount
    name: ${app}`,
      ]);
      await write(`${dir}/policy.yaml`, [
        `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${app}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70`,
        `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}`,
        `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ingress`,
      ]);
    }
    await write(
      `apps/${cluster}/kustomization.yaml`,
      [kustomizeFile(appFiles)],
      false,
    );
  }
  const appName = (a: number) => `app-${String(a).padStart(4, '0')}`;
  return {
    clusters,
    fluxKustomizations,
    objects,
    files,
    deploymentFile: (c, a) =>
      `gitops/workloads/${clusters[c]}/${appName(a)}/deployment.yaml`,
    appKustomizationFile: (c, a) =>
      `gitops/apps/${clusters[c]}/${appName(a)}.yaml`,
  };
}

function deployment(app: string, namespace: string, cluster: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: ${app}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app}
    spec:
      serviceAccountName: ${app}
      containers:
        - name: main
          image: registry.example.test/${app}:1.0.0
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: CLUSTER
              value: ${cluster}
          envFrom:
            - configMapRef:
                name: ${app}-config
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: ${app}-data`;
}
