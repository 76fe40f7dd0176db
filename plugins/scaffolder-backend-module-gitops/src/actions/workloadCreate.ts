import { InputError } from '@backstage/errors';
import {
  TEMPLATE_WORKLOAD_REQUESTS,
  checkVolumeSize,
} from '@cloudlab/plugin-multi-provider-common';
import { createHash } from 'node:crypto';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod';
import { changeOutput, dnsLabel, providerName } from '../lib/fields';
import { appDir, baseDir, componentDir } from '../lib/gitopsTree';
import { STORAGE_SIZE_PATTERN } from '../lib/storageSize';
import { parseDocuments, renderNewFile, SCHEMAS } from '../lib/yamlFiles';
import {
  findProvider,
  ProviderRegistry,
} from '@cloudlab/plugin-multi-provider-common';
import {
  actionSchema,
  parseInput,
  runChange,
  zodObject,
} from '../lib/runChange';
import { examples } from './workloadCreate.examples';
import { renderPatch } from '../lib/overlayPatches';

type Z = typeof zod;

/** Container image reference: registry/name[:tag][@digest], no whitespace or YAML syntax. */
const IMAGE =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export const workloadCreateInput = {
  name: (z: Z) =>
    dnsLabel(z, 'name', 40).describe(
      'Workload name (DNS-1123 label, ≤ 40 characters); instances are <name>-<provider>',
    ),
  providers: (z: Z) =>
    z
      .array(providerName(z))
      .min(1, { message: 'choose at least one provider' })
      .max(20)
      .describe(
        'Providers to run one instance on each (names from providers/*.yaml)',
      ),
  kind: (z: Z) =>
    z
      .enum(['Deployment', 'StatefulSet'])
      .default('Deployment')
      .describe('Workload kind'),
  image: (z: Z) =>
    z
      .string()
      .max(255, { message: 'must be at most 255 characters' })
      .regex(IMAGE, {
        message:
          'must be a container image reference such as ghcr.io/org/app:1.2.3',
      })
      .describe('Container image'),
  port: (z: Z) =>
    z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Container port exposed by a Service named <name>'),
  replicas: (z: Z) =>
    z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(1)
      .describe('Replicas per instance'),
  storage: (z: Z) =>
    z
      .object({
        size: z
          .string()
          .regex(STORAGE_SIZE_PATTERN, {
            message: 'must be a storage size such as 10Gi or 5G',
          })
          .describe("Requested size; at least each chosen provider's minimum"),
        mountPath: z
          .string()
          .max(200)
          .regex(/^\/[A-Za-z0-9._/-]*$/, {
            message:
              'must be an absolute container path of letters, digits, ., _, -, /',
          })
          .default('/data'),
        classes: z
          .array(
            z.object({
              provider: providerName(z),
              class: dnsLabel(z, 'class'),
            }),
          )
          .default([])
          .describe(
            "StorageClass per provider; default the provider's first class",
          ),
      })
      .strict()
      .optional()
      .describe(
        'One ReadWriteOnce volume per instance, on the instance provider',
      ),
};

type Input = zod.infer<
  ReturnType<typeof zodObject<typeof workloadCreateInput>>
>;

/** Registry-dependent checks, each naming its field. */
function checkAgainstRegistry(input: Input, registry: ProviderRegistry) {
  const problems: string[] = [];
  const known = registry.providers.map(p => p.name).join(', ');
  input.providers.forEach((p, i) => {
    if (!findProvider(registry, p))
      problems.push(
        `providers.${i}: unknown provider '${p}' (known: ${known})`,
      );
    if (input.providers.indexOf(p) !== i)
      problems.push(`providers.${i}: '${p}' is listed twice`);
  });
  if (input.storage) {
    if (input.replicas !== 1) {
      problems.push(
        'replicas: must be 1 when storage is requested (one ReadWriteOnce volume per instance)',
      );
    }
    for (const p of input.providers) {
      const def = findProvider(registry, p);
      if (!def) continue;
      if (!def.storage || def.storage.classes.length === 0) {
        problems.push(`storage: provider '${p}' offers no storage classes`);
        continue;
      }
      const verdict = checkVolumeSize(input.storage.size, def.storage);
      if (verdict === 'below-minimum') {
        problems.push(
          `storage.size: ${input.storage.size} is below ${p}'s minimum volume size ${def.storage.minVolumeSize}`,
        );
      } else if (verdict === 'not-whole-gib') {
        problems.push(
          `storage.size: ${p} allocates whole GiB; use a size in Gi such as 10Gi`,
        );
      }
    }
    input.storage.classes.forEach((c, i) => {
      const def = findProvider(registry, c.provider);
      if (!input.providers.includes(c.provider)) {
        problems.push(
          `storage.classes.${i}.provider: '${c.provider}' is not among the chosen providers`,
        );
      } else if (def && !def.storage?.classes.some(k => k.name === c.class)) {
        const owner = registry.providers.find(q =>
          q.storage?.classes.some(k => k.name === c.class),
        );
        problems.push(
          `storage.classes.${i}.class: '${c.class}' is not a storage class of ${c.provider}` +
            `${owner ? ` (it belongs to ${owner.name})` : ''}; ${
              c.provider
            } offers ${def.storage?.classes.map(k => k.name).join(', ')}`,
        );
      }
      if (
        input.storage!.classes.findIndex(o => o.provider === c.provider) !== i
      ) {
        problems.push(
          `storage.classes.${i}.provider: '${c.provider}' is listed twice`,
        );
      }
    });
  }
  if (problems.length)
    throw new InputError(`Invalid input: ${problems.join('; ')}`);
}

/** Pure generator: the base objects of a workload. */
export function workloadBaseFiles(
  input: Input,
  marker = '',
): Record<string, string> {
  const { name } = input;
  const labels = { 'app.kubernetes.io/name': name };
  const files: Record<string, string> = {};
  const resources = ['namespace.yaml', 'serviceaccount.yaml'];
  files['namespace.yaml'] = renderNewFile({
    schema: SCHEMAS.Namespace,
    comment:
      'One namespace per instance (renamed by each overlay); restricted pod security.',
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'latest',
            'cloudlab.dev/provider-pinned': 'true',
            'cloudlab.dev/data-residency': 'eu',
          },
        },
      },
    ],
  });
  files['serviceaccount.yaml'] = renderNewFile({
    schema: SCHEMAS.ServiceAccount,
    objects: [
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: name },
        automountServiceAccountToken: false,
      },
    ],
  });
  const container: Record<string, unknown> = {
    name,
    image: input.image,
    ...(input.port
      ? {
          ports: [{ name: 'http', containerPort: input.port, protocol: 'TCP' }],
        }
      : {}),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    resources: {
      requests: { ...TEMPLATE_WORKLOAD_REQUESTS },
      limits: { memory: '256Mi' },
    },
    ...(input.storage
      ? { volumeMounts: [{ name: 'data', mountPath: input.storage.mountPath }] }
      : {}),
  };
  const podSpec = {
    serviceAccountName: name,
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [container],
    ...(input.storage
      ? {
          volumes: [
            {
              name: 'data',
              persistentVolumeClaim: { claimName: `${name}-data` },
            },
          ],
        }
      : {}),
  };
  const workloadFile =
    input.kind === 'Deployment' ? 'deployment.yaml' : 'statefulset.yaml';
  files[workloadFile] = renderNewFile({
    schema: SCHEMAS[input.kind],
    comment:
      'Provider-agnostic; placement comes from the provider component of each overlay.',
    objects: [
      {
        apiVersion: 'apps/v1',
        kind: input.kind,
        metadata: { name, namespace: name, labels },
        spec: {
          replicas: input.replicas,
          ...(input.kind === 'StatefulSet' ? { serviceName: name } : {}),
          ...(input.storage && input.kind === 'Deployment'
            ? { strategy: { type: 'Recreate' } }
            : {}),
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: podSpec },
        },
      },
    ],
  });
  resources.push(workloadFile);
  if (input.storage) {
    files['persistentvolumeclaim.yaml'] = renderNewFile({
      schema: SCHEMAS.PersistentVolumeClaim,
      comment:
        'Class and size are set per instance by its overlay (the provider component sets the defaults).',
      objects: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: `${name}-data`, namespace: name },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: input.storage.size } },
          },
        },
      ],
    });
    resources.push('persistentvolumeclaim.yaml');
  }
  if (input.port) {
    files['service.yaml'] = renderNewFile({
      schema: SCHEMAS.Service,
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: name },
          spec: {
            selector: labels,
            ports: [
              {
                name: 'http',
                port: input.port,
                targetPort: 'http',
                protocol: 'TCP',
              },
            ],
          },
        },
      ],
    });
    resources.push('service.yaml');
    // Every namespace starts closed (the overlay's network-baseline component); the Service's
    // consumers must be named (docs/adr/1015-network-policy.md). A new workload knows only its
    // own namespace: the person adds an allow for each other consumer.
    files['networkpolicy.yaml'] = renderNewFile({
      schema: SCHEMAS.NetworkPolicy,
      comment:
        'Who may reach the Service: pods of its own namespace. Add an allow-<consumer> policy for each other consumer.',
      objects: [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'allow-same-namespace', namespace: name },
          spec: {
            podSelector: { matchLabels: labels },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [{ podSelector: {} }],
                ports: [{ protocol: 'TCP', port: input.port }],
              },
            ],
          },
        },
      ],
    });
    resources.push('networkpolicy.yaml');
  }
  files['kustomization.yaml'] = renderNewFile({
    schema: SCHEMAS.Kustomization,
    comment: `${name}, provider-agnostic. Instances are the overlays next to this base.\n${marker}`,
    objects: [
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources,
        labels: [{ pairs: { 'app.kubernetes.io/part-of': name } }],
      },
    ],
  });
  return files;
}

/** Pure generator: the overlay of one provider instance. */
export function workloadOverlayFile(
  input: Input,
  provider: string,
  storageClass?: string,
): string {
  const { name } = input;
  const patches: unknown[] = [];
  if (input.storage) {
    patches.push({
      target: { kind: 'PersistentVolumeClaim', name: `${name}-data` },
      patch: renderPatch([
        { op: 'replace', path: '/spec/storageClassName', value: storageClass },
        {
          op: 'replace',
          path: '/spec/resources/requests/storage',
          value: input.storage.size,
        },
      ]),
    });
  }
  return renderNewFile({
    schema: SCHEMAS.Kustomization,
    comment: `The ${provider} instance: the base + the provider component + instance names.`,
    objects: [
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: `${name}-${provider}`,
        resources: ['../base'],
        components: [
          `../../../components/provider-${provider}`,
          // default-deny + allow-dns in the instance's namespace.
          '../../../components/network-baseline',
        ],
        labels: [
          { pairs: { 'app.kubernetes.io/instance': `${name}-${provider}` } },
        ],
        ...(patches.length ? { patches } : {}),
      },
    ],
  });
}

/**
 * A comment line identifying the input a workload was created from: a rerun with the same
 * input is a no-op, any other run with that name is a duplicate.
 */
export function inputMarker(input: Input): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(input))
    .digest('hex')
    .slice(0, 16);
  return `Created by cloudlab:workload:create (input ${hash}).`;
}

/**
 * `cloudlab:workload:create` - a workload's base and one overlay per chosen provider, each
 * pinned by the provider's component and using that provider's storage class.
 */
export function createWorkloadCreateAction() {
  return createTemplateAction({
    id: 'cloudlab:workload:create',
    description:
      "Writes a workload's base (Deployment/StatefulSet, Service, optional PVC) and one overlay per provider under gitops/apps/<name>/.",
    examples,
    supportsDryRun: true,
    schema: actionSchema(workloadCreateInput, changeOutput),
    async handler(ctx) {
      const input = parseInput(zodObject(workloadCreateInput), ctx.input);
      await runChange(ctx, 'cloudlab-workload-create', async (cs, registry) => {
        checkAgainstRegistry(input, registry);
        for (const p of input.providers) {
          if (!(await cs.isDirectory(componentDir(p), 'providers'))) {
            throw new InputError(
              `providers: ${p} has no ${componentDir(
                p,
              )}; onboard the provider first (template "Onboard a provider")`,
            );
          }
        }
        const marker = inputMarker(input);
        const existing = await cs.read(
          `${baseDir(input.name)}/kustomization.yaml`,
          'name',
        );
        if (
          existing !== undefined ||
          (await cs.isDirectory(appDir(input.name), 'name'))
        ) {
          if (existing?.includes(marker)) return; // written by this very input: nothing to do
          throw new InputError(
            `name: workload '${input.name}' already exists at ${appDir(
              input.name,
            )} (choose another name)`,
          );
        }
        for (const [file, content] of Object.entries(
          workloadBaseFiles(input, marker),
        )) {
          await cs.write(`${baseDir(input.name)}/${file}`, content, 'name');
        }
        for (const p of input.providers) {
          const def = findProvider(registry, p)!;
          const cls = input.storage
            ? input.storage.classes.find(c => c.provider === p)?.class ??
              def.storage!.classes[0].name
            : undefined;
          await cs.write(
            `${appDir(input.name)}/${p}/kustomization.yaml`,
            workloadOverlayFile(input, p, cls),
            'name',
          );
        }
        // Sanity: everything staged must parse back (inputs are data, never structure).
        for (const f of cs.summary().created)
          parseDocuments((await cs.read(f))!, f);
      });
    },
  });
}
