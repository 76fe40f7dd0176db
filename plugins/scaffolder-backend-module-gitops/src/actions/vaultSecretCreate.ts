import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod';
import { ChangeSet } from '../lib/ChangeSet';
import { changeOutput, dnsLabel } from '../lib/fields';
import {
  baseDir,
  PATHS,
  readWorkloadInstances,
  readWorkloadKind,
  VAULT_AUTH_GLOBAL,
  WorkloadInstance,
} from '../lib/gitopsTree';
import {
  ensureInSeq,
  findObject,
  newDocument,
  parseDocuments,
  parseSingle,
  renderNewFile,
  SCHEMAS,
  stringifyDocuments,
} from '../lib/yamlFiles';
import {
  actionSchema,
  parseInput,
  runChange,
  zodObject,
} from '../lib/runChange';
import { secretKeysDeclaration } from '@cloudlab/plugin-multi-provider-common';
import { examples } from './vaultSecretCreate.examples';
import { ensureOverlayPatch } from '../lib/overlayPatches';

type Z = typeof zod;

/** VSO's minimum sensible token lifetime, and the audience Vault's roles bind (security property 4). */
export const VSO_TOKEN_EXPIRATION_SECONDS = 600;
export const VSO_AUDIENCE = 'vault';

export const vaultSecretCreateInput = {
  workload: (z: Z) =>
    dnsLabel(z, 'workload', 40).describe(
      'Existing workload under gitops/apps/',
    ),
  secretName: (z: Z) =>
    dnsLabel(z, 'secretName').describe(
      'Name of the Kubernetes Secret VSO materialises in each instance namespace',
    ),
  keys: (z: Z) =>
    z
      .array(
        z.string().regex(/^[-_a-zA-Z0-9.]{1,253}$/, {
          message:
            'must be a Secret key (letters, digits, -, _ and ., at most 253)',
        }),
      )
      .min(1)
      .refine(k => new Set(k).size === k.length, {
        message: 'must not name a key twice',
      })
      .default(['value'])
      .describe(
        'The keys the Secret will hold, exactly (its contract: VSO writes only these fields of the Vault secret, and consumers may read only these)',
      ),
  mount: (z: Z) =>
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
        message:
          'must be a Vault mount name (lower-case letters, digits, _ and -)',
      })
      .default('kv')
      .describe('kv-v2 mount'),
  refreshAfter: (z: Z) =>
    z
      .string()
      .regex(/^[1-9][0-9]{0,3}(s|m|h)$/, {
        message: 'must be a duration such as 30s, 10m or 1h',
      })
      .default('1h'),
  rolloutRestart: (z: Z) =>
    z
      .boolean()
      .default(true)
      .describe('Restart the workload when the secret changes'),
};

type Input = zod.infer<
  ReturnType<typeof zodObject<typeof vaultSecretCreateInput>>
>;

/** The instance-specific Vault path: `apps/<workload>/<instance>/<secret>`. */
export const vaultPath = (input: Input, instance: string) =>
  `apps/${input.workload}/${instance}/${input.secretName}`;

/** Adds (or keeps) an object in a multi-document file; creates the file if absent. */
async function ensureObjectInFile(
  cs: ChangeSet,
  file: string,
  kind: string,
  object: Record<string, unknown> & {
    metadata: { name: string; [k: string]: unknown };
  },
  comment: string,
) {
  const text = await cs.read(file);
  if (text === undefined) {
    await cs.write(
      file,
      renderNewFile({ schema: SCHEMAS[kind], comment, objects: [object] }),
    );
    return;
  }
  const docs = parseDocuments(text, file);
  if (findObject(docs, kind, object.metadata.name)) return;
  docs.push(newDocument(object));
  await cs.write(file, stringifyDocuments(docs));
}

async function addBaseResources(
  cs: ChangeSet,
  workload: string,
  files: string[],
) {
  const file = `${baseDir(workload)}/kustomization.yaml`;
  const docs = parseDocuments((await cs.read(file))!, file);
  for (const f of files) ensureInSeq(docs[0], ['resources'], f);
  await cs.write(file, stringifyDocuments(docs));
}

/** Adds the instance namespaces to the shared VaultAuthGlobal's explicit allow-list. */
export async function allowNamespaces(cs: ChangeSet, namespaces: string[]) {
  const file = PATHS.vaultAuthGlobal;
  const text = await cs.read(file);
  if (!text)
    throw new Error(
      `${file} is missing: the tree has no shared VaultAuthGlobal`,
    );
  const docs = parseDocuments(text, file);
  const global = findObject(docs, 'VaultAuthGlobal', VAULT_AUTH_GLOBAL.name);
  if (!global)
    throw new Error(
      `${file} holds no VaultAuthGlobal ${VAULT_AUTH_GLOBAL.name}`,
    );
  for (const ns of namespaces)
    ensureInSeq(global, ['spec', 'allowedNamespaces'], ns);
  await cs.write(file, stringifyDocuments(docs));
}

/** Declares (or extends) the Vault Kubernetes-auth role: explicit SA, namespaces, audience. */
export async function ensureVaultRole(
  cs: ChangeSet,
  role: {
    name: string;
    serviceAccount: string;
    namespaces: string[];
    policy: string;
  },
) {
  const file = PATHS.vaultRoles;
  const text = await cs.read(file);
  if (!text)
    throw new Error(`${file} is missing: the tree declares no Vault roles`);
  const docs = parseDocuments(text, file);
  const cm = docs.find(d => d.get('kind') === 'ConfigMap');
  const inner = cm?.getIn(['data', 'roles.yaml']);
  if (typeof inner !== 'string')
    throw new Error(`${file} has no data.roles.yaml`);
  const rolesDoc = parseSingle(inner, `${file} data.roles.yaml`);
  const roles = (rolesDoc.toJS() ?? []) as { name: string }[];
  const index = roles.findIndex(r => r.name === role.name);
  if (index < 0) {
    ensureInSeq(rolesDoc, [], {
      name: role.name,
      boundServiceAccountNames: [role.serviceAccount],
      boundServiceAccountNamespaces: role.namespaces,
      audience: VSO_AUDIENCE,
      policies: [role.policy],
      tokenTTL: '10m',
    });
  } else {
    const existing = roles[index] as {
      boundServiceAccountNames?: string[];
      audience?: string;
    };
    if (
      !existing.boundServiceAccountNames?.includes(role.serviceAccount) ||
      existing.audience !== VSO_AUDIENCE
    ) {
      throw new InputError(
        `workload: Vault role '${role.name}' already exists in ${file} for other service accounts or audience`,
      );
    }
    for (const ns of role.namespaces) {
      ensureInSeq(rolesDoc, [index, 'boundServiceAccountNamespaces'], ns);
    }
  }
  const node = cm!.getIn(['data', 'roles.yaml'], true) as { value: string };
  const updated = rolesDoc.toString({ lineWidth: 0 });
  if (node.value !== updated) node.value = updated;
  await cs.write(file, stringifyDocuments(docs));
}

/** Stages every VSO file of one secret of a workload. */
export async function stageVsoResources(cs: ChangeSet, input: Input) {
  const instances: WorkloadInstance[] = await readWorkloadInstances(
    cs,
    input.workload,
  );
  const { workload } = input;
  const base = baseDir(workload);
  const sa = `${workload}-vault`;
  await ensureObjectInFile(
    cs,
    `${base}/serviceaccount.yaml`,
    'ServiceAccount',
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa, namespace: workload },
    },
    'The service account VSO authenticates to Vault as, in the consuming namespace.',
  );
  await ensureObjectInFile(
    cs,
    `${base}/vaultauth.yaml`,
    'VaultAuth',
    {
      apiVersion: 'secrets.hashicorp.com/v1beta1',
      kind: 'VaultAuth',
      metadata: { name: workload, namespace: workload },
      spec: {
        vaultAuthGlobalRef: { ...VAULT_AUTH_GLOBAL, allowDefault: false },
        method: 'kubernetes',
        kubernetes: {
          role: workload,
          serviceAccount: sa,
          audiences: [VSO_AUDIENCE],
          tokenExpirationSeconds: VSO_TOKEN_EXPIRATION_SECONDS,
        },
      },
    },
    'Per-namespace VaultAuth: inherits mount/connection from the shared VaultAuthGlobal,\nadds the role and a service account living in this (the consuming) namespace.',
  );
  const kind = await readWorkloadKind(cs, workload);
  await ensureObjectInFile(
    cs,
    `${base}/vaultstaticsecret.yaml`,
    'VaultStaticSecret',
    {
      apiVersion: 'secrets.hashicorp.com/v1beta1',
      kind: 'VaultStaticSecret',
      metadata: { name: input.secretName, namespace: workload },
      spec: {
        vaultAuthRef: workload,
        type: 'kv-v2',
        mount: input.mount,
        path: `apps/${workload}/INSTANCE/${input.secretName}`,
        refreshAfter: input.refreshAfter,
        destination: {
          name: input.secretName,
          create: true,
          transformation: secretKeysDeclaration(input.keys),
        },
        ...(input.rolloutRestart
          ? { rolloutRestartTargets: [{ kind, name: workload }] }
          : {}),
      },
    },
    'Instance-specific secrets: each overlay sets its own Vault path.',
  );
  await addBaseResources(cs, workload, [
    'serviceaccount.yaml',
    'vaultauth.yaml',
    'vaultstaticsecret.yaml',
  ]);
  for (const instance of instances) {
    await ensureOverlayPatch(
      cs,
      instance.dir,
      { kind: 'VaultStaticSecret', name: input.secretName },
      [
        {
          op: 'replace',
          path: '/spec/path',
          value: vaultPath(input, instance.name),
        },
      ],
    );
  }
  const namespaces = instances.map(i => i.namespace);
  await allowNamespaces(cs, namespaces);
  await ensureVaultRole(cs, {
    name: workload,
    serviceAccount: sa,
    namespaces,
    policy: `${workload}-read`,
  });
}

/**
 * `cloudlab:vault-secret:create` - the shared-VaultAuth pattern for one secret of an existing
 * workload: ServiceAccount + VaultAuth per namespace, VaultStaticSecret per instance, the
 * namespaces allowed by the VaultAuthGlobal and bound by the Vault role.
 */
export function createVaultSecretCreateAction() {
  return createTemplateAction({
    id: 'cloudlab:vault-secret:create',
    description:
      'Writes VSO resources for one secret of an existing workload: per-namespace VaultAuth on the shared VaultAuthGlobal, per-instance VaultStaticSecret, allowedNamespaces and the Vault role.',
    examples,
    supportsDryRun: true,
    schema: actionSchema(vaultSecretCreateInput, changeOutput),
    async handler(ctx) {
      const input = parseInput(zodObject(vaultSecretCreateInput), ctx.input);
      await runChange(ctx, 'cloudlab-vault-secret-create', cs =>
        stageVsoResources(cs, input),
      );
    },
  });
}
