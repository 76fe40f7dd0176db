import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod';
import { ChangeSet } from '../lib/ChangeSet';
import { changeOutput, dnsLabel, isControlCharacter } from '../lib/fields';
import { appDir, PATHS, readWorkloadInstances } from '../lib/gitopsTree';
import {
  ensureInSeq,
  parseDocuments,
  renderNewFile,
  stringifyDocuments,
} from '../lib/yamlFiles';
import { examples } from './catalogEntryCreate.examples';
import {
  actionSchema,
  parseInput,
  runChange,
  zodObject,
} from '../lib/runChange';
import { stageOwnedFile } from '../lib/ownedFile';

type Z = typeof zod;

/**
 * Annotations linking a Component to its GitOps tree, the contract with the Flux catalog
 * provider (plugins/catalog-backend-module-flux, `CLAIM_ANNOTATIONS`): the entity claims its
 * Flux Kustomizations as `namespace/name` items, in every cluster.
 */
export const ANNOTATIONS = {
  gitopsPath: 'cloudlab.dev/gitops-path',
  fluxKustomizations: 'cloudlab.dev/flux-kustomizations',
  kubernetesSelector: 'backstage.io/kubernetes-label-selector',
} as const;

const ENTITY_REF = /^(group|user):(default\/)?[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;

export const catalogEntryCreateInput = {
  workload: (z: Z) =>
    dnsLabel(z, 'workload', 40).describe(
      'Existing workload under gitops/apps/',
    ),
  owner: (z: Z) =>
    z
      .string()
      .max(253, { message: 'must be at most 253 characters' })
      .regex(ENTITY_REF, {
        message:
          'must be a group or user entity ref such as group:default/platform-team',
      }),
  description: (z: Z) =>
    z
      .string()
      .max(500, { message: 'must be at most 500 characters' })
      .refine(s => ![...s].some(isControlCharacter), {
        message: 'must not contain control characters',
      })
      .default('')
      .describe('Free text; stored as data'),
  system: (z: Z) =>
    dnsLabel(z, 'system')
      .optional()
      .describe('System the component belongs to'),
  lifecycle: (z: Z) =>
    z
      .enum(['experimental', 'production', 'deprecated'])
      .default('experimental'),
};

type Input = zod.infer<
  ReturnType<typeof zodObject<typeof catalogEntryCreateInput>>
>;

export const catalogFile = (workload: string) =>
  `catalog/components/${workload}.yaml`;

export async function stageCatalogEntry(cs: ChangeSet, input: Input) {
  const instances = await readWorkloadInstances(cs, input.workload);
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: input.workload,
      ...(input.description ? { description: input.description } : {}),
      annotations: {
        [ANNOTATIONS.gitopsPath]: appDir(input.workload),
        [ANNOTATIONS.fluxKustomizations]: instances
          .map(i => `flux-system/apps-${input.workload}-${i.name}`)
          .join(','),
        [ANNOTATIONS.kubernetesSelector]: `app.kubernetes.io/name=${input.workload}`,
      },
    },
    spec: {
      type: 'service',
      lifecycle: input.lifecycle,
      owner: input.owner,
      ...(input.system ? { system: input.system } : {}),
    },
  };
  // One entity per name: refuse when another catalog file already declares this Component.
  for (const name of await cs.listFiles('catalog/components', 'workload')) {
    const file = `catalog/components/${name}`;
    if (!name.endsWith('.yaml') || file === catalogFile(input.workload))
      continue;
    const declared = parseDocuments((await cs.read(file))!, file).some(
      d =>
        d.get('kind') === 'Component' &&
        d.getIn(['metadata', 'name']) === input.workload,
    );
    if (declared) {
      throw new InputError(
        `workload: a Component '${input.workload}' is already declared in ${file}`,
      );
    }
  }
  await stageOwnedFile(
    cs,
    catalogFile(input.workload),
    renderNewFile({
      comment: 'Written by the cloudlab:catalog-entry:create action.',
      objects: [entity],
    }),
    'workload',
  );
  const index = await cs.read(PATHS.catalogIndex);
  if (!index)
    throw new InputError(`workload: ${PATHS.catalogIndex} is missing`);
  const docs = parseDocuments(index, PATHS.catalogIndex);
  const location = docs.find(d => d.get('kind') === 'Location');
  if (!location)
    throw new InputError(`workload: ${PATHS.catalogIndex} holds no Location`);
  ensureInSeq(
    location,
    ['spec', 'targets'],
    `./components/${input.workload}.yaml`,
  );
  const updated = stringifyDocuments(docs);
  if (updated !== index) await cs.write(PATHS.catalogIndex, updated);
}

/** `cloudlab:catalog-entry:create` - the Component of a workload, indexed in catalog/all.yaml. */
export function createCatalogEntryCreateAction() {
  return createTemplateAction({
    id: 'cloudlab:catalog-entry:create',
    description:
      'Writes catalog/components/<workload>.yaml (a Component annotated with its GitOps path and Flux Kustomizations) and lists it in catalog/all.yaml.',
    examples,
    supportsDryRun: true,
    schema: actionSchema(catalogEntryCreateInput, {
      ...changeOutput,
      entityRef: (z: Z) => z.string().describe('Entity ref of the Component'),
    }),
    async handler(ctx) {
      const input = parseInput(zodObject(catalogEntryCreateInput), ctx.input);
      await runChange(ctx, 'cloudlab-catalog-entry-create', cs =>
        stageCatalogEntry(cs, input),
      );
      ctx.output('entityRef', `component:default/${input.workload}`);
    },
  });
}
