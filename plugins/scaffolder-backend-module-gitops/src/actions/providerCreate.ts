import { InputError } from '@backstage/errors';
import {
  bytes,
  isWholeGiB,
  parseQuantity,
} from '@cloudlab/plugin-multi-provider-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod';
import { ChangeSet } from '../lib/ChangeSet';
import { changeOutput, dnsLabel, providerName } from '../lib/fields';
import { componentDir, PATHS } from '../lib/gitopsTree';
import { STORAGE_SIZE_PATTERN } from '../lib/storageSize';
import {
  ensureInSeq,
  findObject,
  newDocument,
  parseDocuments,
  renderNewFile,
  SCHEMAS,
  stringifyDocuments,
} from '../lib/yamlFiles';
import { findProvider } from '@cloudlab/plugin-multi-provider-common';
import { renderPatch } from '../lib/overlayPatches';
import { examples } from './providerCreate.examples';
import {
  actionSchema,
  parseInput,
  runChange,
  zodObject,
} from '../lib/runChange';
import { stageOwnedFile } from '../lib/ownedFile';

type Z = typeof zod;

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const providerCreateInput = {
  name: (z: Z) => providerName(z).describe('Provider name (DNS-1123 label)'),
  displayName: (z: Z) =>
    z
      .string()
      .min(1)
      .max(80)
      .regex(/^[A-Za-z0-9 .,&()-]+$/, {
        message: 'may only contain letters, digits, spaces and . , & ( ) -',
      }),
  regions: (z: Z) =>
    z
      .array(
        z
          .object({
            name: dnsLabel(z, 'region'),
            country: z.string().regex(/^[A-Z]{2}$/, {
              message: 'must be an ISO 3166 alpha-2 code such as DE',
            }),
            eu: z.boolean(),
            zones: z.array(dnsLabel(z, 'zone')).min(1).max(20),
          })
          .strict(),
      )
      .min(1, { message: 'declare at least one region' })
      .max(30),
  csiDriver: (z: Z) =>
    z
      .string()
      .max(120)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
        message: 'must be a CSI driver name such as csi.example.com',
      }),
  topologyKey: (z: Z) =>
    z.string().max(120).regex(LABEL_KEY, {
      message: 'must be a label key such as topology.csi.example.com/zone',
    }),
  topologyLevel: (z: Z) => z.enum(['region', 'zone']),
  minVolumeSize: (z: Z) =>
    z.string().regex(STORAGE_SIZE_PATTERN, {
      message: 'must be a storage size such as 10Gi or 1G',
    }),
  wholeGiB: (z: Z) => z.boolean().default(false),
  classes: (z: Z) =>
    z
      .array(
        z
          .object({
            name: dnsLabel(z, 'class'),
            reclaimPolicy: z.enum(['Delete', 'Retain']).default('Delete'),
            allowVolumeExpansion: z.boolean().default(true),
          })
          .strict(),
      )
      .min(1, { message: 'declare at least one storage class' })
      .max(10),
};

type Input = zod.infer<
  ReturnType<typeof zodObject<typeof providerCreateInput>>
>;

/** The smallest whole-GiB size not below `min` (what the component requests by default). */
export function componentSize(min: string): string {
  return `${Math.ceil(bytes(min) / 2 ** 30)}Gi`;
}

/** Pure generator: every new file of a provider, keyed by workspace path. */
export function providerFiles(input: Input): Record<string, string> {
  const { name } = input;
  const euRegions = input.regions.filter(r => r.eu);
  const topologyValues =
    input.topologyLevel === 'region'
      ? euRegions.map(r => r.name)
      : euRegions.flatMap(r => r.zones);
  const storageDir = `gitops/infrastructure/storage/${name}`;
  return {
    [`${PATHS.providers}/${name}.yaml`]: renderNewFile({
      comment:
        'Provider registry entry. One file per provider; every part of Cloudlab (plugins, scaffolder,\ngitops validation, lab) reads this directory. Written by cloudlab:provider:create.',
      objects: [
        {
          apiVersion: 'cloudlab.dev/v1alpha1',
          kind: 'Provider',
          metadata: { name },
          spec: {
            displayName: input.displayName,
            detection: {
              labels: [{ key: 'cfke.io/provider', value: name }],
              labelPrefixes: [],
              providerIDSchemes: [],
            },
            regions: input.regions,
            storage: {
              csiDriver: input.csiDriver,
              topologyKey: input.topologyKey,
              topologyLevel: input.topologyLevel,
              minVolumeSize: input.minVolumeSize,
              wholeGiB: input.wholeGiB,
              classes: input.classes,
            },
            instanceTypes: [],
          },
        },
      ],
    }),
    [`${storageDir}/kustomization.yaml`]: renderNewFile({
      schema: SCHEMAS.Kustomization,
      objects: [
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: ['storageclass.yaml'],
        },
      ],
    }),
    [`${storageDir}/storageclass.yaml`]: renderNewFile({
      schema:
        'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/storageclass-storage-v1.json',
      comment:
        'WaitForFirstConsumer + allowedTopologies limited to EU locations; never the default class\n(docs/adr/0101-no-default-storageclass.md).',
      objects: input.classes.map(c => ({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: {
          name: c.name,
          labels: { 'cloudlab.dev/provider': name },
          annotations: {
            'storageclass.kubernetes.io/is-default-class': 'false',
          },
        },
        provisioner: input.csiDriver,
        reclaimPolicy: c.reclaimPolicy,
        allowVolumeExpansion: c.allowVolumeExpansion,
        volumeBindingMode: 'WaitForFirstConsumer',
        allowedTopologies: [
          {
            matchLabelExpressions: [
              { key: input.topologyKey, values: topologyValues },
            ],
          },
        ],
      })),
    }),
    [`${componentDir(name)}/kustomization.yaml`]: renderNewFile({
      schema: SCHEMAS.Kustomization,
      comment: `Provider component: pins every workload of the including overlay to ${name} nodes in its EU\nregions, and gives every PVC ${name}'s storage class at no less than ${name}'s minimum size.\nValues must agree with providers/${name}.yaml - the validator checks (rule "component-registry").`,
      objects: [
        {
          apiVersion: 'kustomize.config.k8s.io/v1alpha1',
          kind: 'Component',
          labels: [{ pairs: { 'cloudlab.dev/provider': name } }],
          patches: [
            {
              target: { kind: '(Deployment|StatefulSet|DaemonSet)' },
              patch: renderPatch([
                {
                  op: 'add',
                  path: '/spec/template/spec/nodeSelector',
                  value: { 'cfke.io/provider': name },
                },
                {
                  op: 'add',
                  path: '/spec/template/spec/affinity',
                  value: {
                    nodeAffinity: {
                      requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [
                          {
                            matchExpressions: [
                              {
                                key: 'cfke.io/provider',
                                operator: 'In',
                                values: [name],
                              },
                              {
                                key: 'topology.kubernetes.io/region',
                                operator: 'In',
                                values: euRegions.map(r => r.name),
                              },
                            ],
                          },
                        ],
                      },
                    },
                  },
                },
              ]),
            },
            {
              target: { kind: 'PersistentVolumeClaim' },
              patch: renderPatch([
                {
                  op: 'add',
                  path: '/spec/storageClassName',
                  value: input.classes[0].name,
                },
                {
                  op: 'replace',
                  path: '/spec/resources/requests/storage',
                  value: componentSize(input.minVolumeSize),
                },
              ]),
            },
            {
              target: { kind: 'Service' },
              patch: renderPatch([
                {
                  op: 'add',
                  path: '/metadata/labels/tailscale.com~1proxy-class',
                  value: `provider-${name}`,
                },
              ]),
            },
          ],
        },
      ],
    }),
  };
}

export async function stageProvider(
  cs: ChangeSet,
  input: Input,
  known: string[],
) {
  if (known.includes(input.name)) {
    throw new InputError(
      `name: provider '${input.name}' is already in the registry`,
    );
  }
  if (!input.regions.some(r => r.eu)) {
    throw new InputError(
      'regions: at least one region must be in the EU (data residency policy)',
    );
  }
  input.regions.forEach((r, i) => {
    if (input.regions.findIndex(o => o.name === r.name) !== i) {
      throw new InputError(`regions.${i}.name: '${r.name}' is listed twice`);
    }
  });
  input.classes.forEach((c, i) => {
    if (input.classes.findIndex(o => o.name === c.name) !== i) {
      throw new InputError(`classes.${i}.name: '${c.name}' is listed twice`);
    }
  });
  if (input.wholeGiB && !isWholeGiB(parseQuantity(input.minVolumeSize))) {
    throw new InputError(
      'minVolumeSize: must be whole GiB (e.g. 10Gi) when wholeGiB is set',
    );
  }
  for (const [file, content] of Object.entries(providerFiles(input))) {
    await stageOwnedFile(cs, file, content, 'name');
  }
  const storageIndex = 'gitops/infrastructure/storage/kustomization.yaml';
  const sdocs = parseDocuments((await cs.read(storageIndex))!, storageIndex);
  ensureInSeq(sdocs[0], ['resources'], input.name);
  await cs.write(storageIndex, stringifyDocuments(sdocs));
  const pdocs = parseDocuments(
    (await cs.read(PATHS.proxyClasses))!,
    PATHS.proxyClasses,
  );
  if (!findObject(pdocs, 'ProxyClass', `provider-${input.name}`)) {
    pdocs.push(
      newDocument({
        apiVersion: 'tailscale.com/v1alpha1',
        kind: 'ProxyClass',
        metadata: { name: `provider-${input.name}` },
        spec: {
          statefulSet: {
            pod: { nodeSelector: { 'cfke.io/provider': input.name } },
          },
        },
      }),
    );
    await cs.write(PATHS.proxyClasses, stringifyDocuments(pdocs));
  }
}

/**
 * `cloudlab:provider:create` - onboards a provider as data + overlays: registry entry,
 * StorageClasses, provider component and ProxyClass. The EU-region policy parameters are
 * regenerated by `cloudlab:gitops:validate` with `regenerate: true`.
 */
export function createProviderCreateAction() {
  return createTemplateAction({
    id: 'cloudlab:provider:create',
    description:
      'Onboards a provider: providers/<name>.yaml, its StorageClasses, components/provider-<name> and a ProxyClass, following docs/gitops/index.md.',
    examples,
    supportsDryRun: true,
    schema: actionSchema(providerCreateInput, changeOutput),
    async handler(ctx) {
      const input = parseInput(zodObject(providerCreateInput), ctx.input);
      await runChange(ctx, 'cloudlab-provider-create', async (cs, registry) => {
        const known = registry.providers.map(p => p.name);
        // A rerun with the same input finds its own registry entry: compare files instead.
        const own = findProvider(registry, input.name);
        const ownFile =
          providerFiles(input)[`${PATHS.providers}/${input.name}.yaml`];
        if (
          own &&
          (await cs.read(`${PATHS.providers}/${input.name}.yaml`)) === ownFile
        ) {
          await stageProvider(
            cs,
            input,
            known.filter(n => n !== input.name),
          );
          return;
        }
        await stageProvider(cs, input, known);
      });
    },
  });
}
