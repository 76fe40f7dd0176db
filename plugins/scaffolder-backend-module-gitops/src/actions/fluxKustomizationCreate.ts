import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod';
import { ChangeSet } from '../lib/ChangeSet';
import { changeOutput, dnsLabel } from '../lib/fields';
import { listClusters, PATHS, readWorkloadInstances } from '../lib/gitopsTree';
import {
  ensureInSeq,
  findObject,
  newDocument,
  parseDocuments,
  renderNewFile,
  SCHEMAS,
  stringifyDocuments,
} from '../lib/yamlFiles';
import { examples } from './fluxKustomizationCreate.examples';
import {
  actionSchema,
  parseInput,
  runChange,
  zodObject,
} from '../lib/runChange';

type Z = typeof zod;

/** The platform layer an app instance waits for (docs/gitops/index.md, "Layers"). */
export const DEFAULT_DEPENDS_ON = [
  'platform-vso-config',
  'platform-tailscale',
  'observability-stack',
];

export const fluxKustomizationCreateInput = {
  workload: (z: Z) =>
    dnsLabel(z, 'workload', 40).describe(
      'Existing workload under gitops/apps/',
    ),
  clusters: (z: Z) =>
    z
      .array(dnsLabel(z, 'cluster'))
      .max(20)
      .optional()
      .describe('Clusters (directories under gitops/clusters/); default all'),
  dependsOn: (z: Z) =>
    z
      .array(dnsLabel(z, 'dependsOn'))
      .max(20)
      .default(DEFAULT_DEPENDS_ON)
      .describe(
        'Flux Kustomizations each instance waits for (must exist in the cluster)',
      ),
  interval: (z: Z) =>
    z
      .string()
      .max(20, { message: 'must be at most 20 characters' })
      .regex(/^(?=.)([0-9]+h)?([0-9]+m)?([0-9]+s)?$/, {
        message: 'must be a Go duration such as 10m0s',
      })
      .default('10m0s'),
  timeout: (z: Z) =>
    z
      .string()
      .max(20, { message: 'must be at most 20 characters' })
      .regex(/^(?=.)([0-9]+h)?([0-9]+m)?([0-9]+s)?$/, {
        message: 'must be a Go duration such as 5m0s',
      })
      .default('5m0s'),
};

type Input = zod.infer<
  ReturnType<typeof zodObject<typeof fluxKustomizationCreateInput>>
>;

/** Names of every Flux Kustomization defined in a cluster directory's top-level files. */
async function fluxKustomizationNames(
  cs: ChangeSet,
  cluster: string,
): Promise<Set<string>> {
  const names = new Set<string>();
  for (const f of [
    'infrastructure.yaml',
    'platform.yaml',
    'observability.yaml',
    'apps.yaml',
  ]) {
    const file = `${PATHS.clusters}/${cluster}/${f}`;
    const text = await cs.read(file);
    if (!text) continue;
    for (const d of parseDocuments(text, file)) {
      if (d.get('kind') === 'Kustomization')
        names.add(String(d.getIn(['metadata', 'name'])));
    }
  }
  return names;
}

/** Pure generator: the Flux Kustomization of one instance. */
export function fluxKustomization(
  input: Input,
  instance: { name: string; dir: string },
) {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: `apps-${input.workload}-${instance.name}`,
      namespace: 'flux-system',
    },
    spec: {
      dependsOn: input.dependsOn.map(name => ({ name })),
      interval: input.interval,
      retryInterval: '1m0s',
      timeout: input.timeout,
      path: `./${instance.dir}`,
      prune: true,
      // wait: every applied object must become Ready (Flux's health checks for all of them).
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  };
}

export async function stageFluxKustomization(cs: ChangeSet, input: Input) {
  const instances = await readWorkloadInstances(cs, input.workload);
  const all = await listClusters(cs);
  const clusters = input.clusters ?? all;
  clusters.forEach((c, i) => {
    if (!all.includes(c))
      throw new InputError(
        `clusters.${i}: no cluster '${c}' (known: ${all.join(', ')})`,
      );
    if (clusters.indexOf(c) !== i)
      throw new InputError(`clusters.${i}: '${c}' is listed twice`);
  });
  for (const cluster of clusters) {
    const defined = await fluxKustomizationNames(cs, cluster);
    input.dependsOn.forEach((d, i) => {
      if (!defined.has(d)) {
        throw new InputError(
          `dependsOn.${i}: cluster ${cluster} has no Flux Kustomization '${d}'`,
        );
      }
    });
    const file = `${PATHS.clusters}/${cluster}/apps.yaml`;
    const text = await cs.read(file);
    const docs = text ? parseDocuments(text, file) : [];
    let touched = false;
    for (const instance of instances) {
      const object = fluxKustomization(input, instance);
      const existing = findObject(docs, 'Kustomization', object.metadata.name);
      if (existing) {
        if (JSON.stringify(existing.toJS()) !== JSON.stringify(object)) {
          throw new InputError(
            `workload: ${file} already defines ${object.metadata.name} differently; edit it by hand`,
          );
        }
        continue;
      }
      docs.push(newDocument(object));
      touched = true;
    }
    if (!touched) continue;
    if (text) await cs.write(file, stringifyDocuments(docs));
    else {
      await cs.write(
        file,
        renderNewFile({
          schema: SCHEMAS.FluxKustomization,
          comment: 'Layer 4 - apps.',
          objects: docs.map(d => d.toJS()),
        }),
      );
      const kfile = `${PATHS.clusters}/${cluster}/kustomization.yaml`;
      const kdocs = parseDocuments((await cs.read(kfile))!, kfile);
      ensureInSeq(kdocs[0], ['resources'], 'apps.yaml');
      await cs.write(kfile, stringifyDocuments(kdocs));
    }
  }
}

/** `cloudlab:flux-kustomization:create` - one Flux Kustomization per instance and cluster. */
export function createFluxKustomizationCreateAction() {
  return createTemplateAction({
    id: 'cloudlab:flux-kustomization:create',
    description:
      "Adds one Flux Kustomization per instance of a workload to each cluster's apps.yaml: dependsOn the platform layer, prune, wait (health checks).",
    examples,
    supportsDryRun: true,
    schema: actionSchema(fluxKustomizationCreateInput, changeOutput),
    async handler(ctx) {
      const input = parseInput(
        zodObject(fluxKustomizationCreateInput),
        ctx.input,
      );
      await runChange(ctx, 'cloudlab-flux-kustomization-create', cs =>
        stageFluxKustomization(cs, input),
      );
    },
  });
}
