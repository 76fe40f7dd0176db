import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadTemplateExamples } from '../templateExamples';
import type { ForgeRepository } from './forgeRepository';
import { REPO_ROOT } from './workspace';

/**
 * What the publish tests (`publishGitlab.test.ts`, `publishGithub.test.ts`) share: the
 * templates as catalog entities, templates whose publish step gets bad input, and the
 * assertions on the change a template sends to the forge, however that forge receives it.
 */

const TEMPLATES = path.join(REPO_ROOT, 'templates');

/** Every template's example form values, by template name. */
export const examples = loadTemplateExamples(TEMPLATES);

/** The integration's token in the publish tests. */
export const TOKEN = 'integration-token-for-tests';
/** The token a user gives in the vault-secret template's Git token field. */
export const USER_TOKEN = 'user-token-for-tests';
/** What the stand-in forge reports as the repository's default branch; the config names another. */
export const FORGE_DEFAULT_BRANCH = 'develop';
/** `cloudlab.gitops.defaultBranch` in the publish tests: where the change must go. */
export const BASE_BRANCH = 'main';

/** The template `name` as the catalog serves it. */
export function template(name: string) {
  const t = parse(
    fs.readFileSync(path.join(TEMPLATES, name, 'template.yaml'), 'utf8'),
  );
  return { ...t, metadata: { ...t.metadata, namespace: 'default' } };
}

/**
 * Templates that only check out and run the publish step `stepId` (its action `action`), each
 * with one input broken, and per template the error the task must fail with: no `repoUrl`, no
 * `branchName`, a `repoUrl` on `unconfiguredHost` (no integration for it).
 */
export function refusedPublishInputs(opts: {
  stepId: string;
  action: string;
  unconfiguredHost: string;
}) {
  const { stepId, action, unconfiguredHost } = opts;
  const invalid = (property: string) =>
    new RegExp(
      `Invalid input passed to action ${action}, instance requires property "${property}"`,
    );
  const cases: {
    name: string;
    edit: (input: Record<string, unknown>) => void;
    error: RegExp;
  }[] = [
    {
      name: `${stepId}-without-repourl`,
      edit: i => delete i.repoUrl,
      error: invalid('repoUrl'),
    },
    {
      name: `${stepId}-without-branch`,
      edit: i => delete i.branchName,
      error: invalid('branchName'),
    },
    {
      name: `${stepId}-unconfigured-host`,
      edit: i => {
        i.repoUrl = `${unconfiguredHost}?owner=cloudlab&repo=gitops`;
      },
      error: new RegExp(
        `No matching integration configuration for host ${unconfiguredHost.replace(
          /\./g,
          '\\.',
        )}`,
      ),
    },
  ];
  const entities = cases.map(c => {
    const t = template('provider-workload');
    const steps = t.spec.steps.filter((s: { id: string }) =>
      ['checkout', stepId].includes(s.id),
    );
    c.edit(steps[1].input);
    return {
      ...t,
      metadata: { ...t.metadata, name: c.name },
      spec: { ...t.spec, steps },
    };
  });
  return {
    entities,
    cases: cases.map(c => [c.name, c.error] as [string, RegExp]),
  };
}

/** One file a change creates or updates, with its new content. */
export interface ChangedFile {
  action: 'create' | 'update';
  content: Buffer;
}

/**
 * The change the provider-workload template makes for its example `hello`: exactly these files,
 * created or updated, with the workload's image and the catalog entry in them.
 */
export function expectHelloWorkloadChange(files: Map<string, ChangedFile>) {
  expect([...files].map(([p, f]) => `${f.action} ${p}`).sort()).toEqual([
    'create catalog/components/hello.yaml',
    'create gitops/apps/hello/base/deployment.yaml',
    'create gitops/apps/hello/base/kustomization.yaml',
    'create gitops/apps/hello/base/namespace.yaml',
    'create gitops/apps/hello/base/networkpolicy.yaml',
    'create gitops/apps/hello/base/service.yaml',
    'create gitops/apps/hello/base/serviceaccount.yaml',
    'create gitops/apps/hello/hetzner/kustomization.yaml',
    'create gitops/apps/hello/scaleway/kustomization.yaml',
    'update catalog/all.yaml',
    'update gitops/clusters/cloudlab/apps.yaml',
    'update gitops/clusters/lab/apps.yaml',
  ]);
  const deployment = parse(
    files
      .get('gitops/apps/hello/base/deployment.yaml')!
      .content.toString('utf8'),
  );
  expect(deployment.spec.template.spec.containers[0].image).toBe(
    'cloudlab/hello:1.0.0',
  );
  expect(files.get('catalog/all.yaml')!.content.toString('utf8')).toContain(
    './components/hello.yaml',
  );
}

/**
 * A change holds at least one file, and each file's action and content agree with the base
 * branch: `create` only for a file it lacks, `update` only for one it has, never the same bytes.
 */
export function expectOnlyChangedFiles(
  files: Map<string, ChangedFile>,
  repository: ForgeRepository,
) {
  expect(files.size).toBeGreaterThan(0);
  for (const [p, f] of files) {
    const before = repository.files.get(p);
    expect(`${f.action} ${p}`).toBe(`${before ? 'update' : 'create'} ${p}`);
    expect(before && f.content.equals(before)).toBeFalsy();
  }
}
