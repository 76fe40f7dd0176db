import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { parse } from 'yaml';
import { makeLocalRepository } from './__testUtils__/actionInputs';
import { startScaffolder } from './__testUtils__/scaffolderBackend';
import { describeWithValidator, REPO_ROOT } from './__testUtils__/workspace';
import { loadTemplateExamples } from './templateExamples';

// Each dry run copies the tree and runs the Go validator; the machine is shared.
jest.setTimeout(120_000);

const ACTIONS = '/api/scaffolder/.backstage/actions/v1/actions';
const ID = 'scaffolder:validate-gitops-change';
const INVOKE = `${ACTIONS}/${encodeURIComponent(ID)}/invoke`;
const READER = 'user:default/reader';
/** Denied every permission. */
const OUTSIDER = 'user:default/outsider';

const TEMPLATES = path.join(REPO_ROOT, 'templates');
const templates = fs
  .readdirSync(TEMPLATES)
  .filter(d => fs.existsSync(path.join(TEMPLATES, d, 'template.yaml')))
  .map(d => {
    const t = parse(
      fs.readFileSync(path.join(TEMPLATES, d, 'template.yaml'), 'utf8'),
    );
    t.metadata.namespace = 'default';
    return t;
  });
const examples = loadTemplateExamples(TEMPLATES);
const workload = examples['provider-workload'];

/** Asked permissions, by name; every one denied to OUTSIDER. */
const asked: string[] = [];
const permissions = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => {
    const decide = (reqs: any[], o: any) =>
      reqs.map(r => {
        asked.push(r.permission.name);
        return {
          result:
            o?.credentials?.principal?.userEntityRef === OUTSIDER
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        };
      }) as any;
    return { authorize: decide, authorizeConditional: decide };
  },
});

function git(repository: string, ...args: string[]) {
  return execFileSync('git', args, {
    cwd: repository,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@cloudlab.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@cloudlab.invalid',
    },
  });
}

/** Every ref of the repository with its commit: what a write would change. */
const refsOf = (repository: string) => git(repository, 'show-ref');

async function start(repository: string) {
  return startScaffolder({
    localRepository: repository,
    entities: templates,
    features: [permissions],
  });
}

const invoke = (server: any, input: object, user = READER) =>
  request(server)
    .post(INVOKE)
    .set('authorization', mockCredentials.user.header(user))
    .send(input);

describeWithValidator()('scaffolder:validate-gitops-change', () => {
  const repository = makeLocalRepository();
  let server: any;

  beforeAll(async () => {
    server = await start(repository);
  });
  afterAll(() => fs.rmSync(repository, { recursive: true, force: true }));

  it('is listed as read-only, idempotent and not destructive, with schemas', async () => {
    const res = await request(server)
      .get(ACTIONS)
      .set('authorization', mockCredentials.user.header(READER));
    expect(res.status).toBe(200);
    const action = (res.body.actions as any[]).find(a => a.id === ID);
    expect(action.attributes).toEqual({
      readOnly: true,
      idempotent: true,
      destructive: false,
    });
    expect(Object.keys(action.schema.input.properties).sort()).toEqual([
      'template',
      'values',
    ]);
    expect(action.schema.output.properties.findings.type).toBe('array');
    expect(action.description).toMatch(/Nothing is committed/);
  });

  it('dry-runs a template: valid, the files it would write in the log, nothing committed', async () => {
    const before = refsOf(repository);
    const res = await invoke(server, {
      template: 'provider-workload',
      values: workload,
    });
    expect(res.status).toBe(200);
    const out = res.body.output;
    expect(out).toMatchObject({
      template: 'template:default/provider-workload',
      valid: true,
      findings: [],
    });
    expect(out.error).toBeUndefined();
    expect(out.log).toContainEqual(
      expect.stringMatching(
        new RegExp(`^workload: info: created gitops/apps/${workload.name}/`),
      ),
    );
    expect(out.log).toContainEqual(
      expect.stringMatching(/^validate: info: gitops tree validates/),
    );
    expect(refsOf(repository)).toBe(before);
    expect(git(repository, 'status', '--porcelain')).toBe('');
  });

  it('refuses the form values the template refuses, naming the field', async () => {
    const res = await invoke(server, {
      template: 'template:default/provider-workload',
      values: { ...workload, name: 'Not_A_Label' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(
      /^Invalid input: values: name does not match pattern/,
    );
  });

  it('answers not valid, without findings, when a step refuses the change before validation', async () => {
    const res = await invoke(server, {
      template: 'provider-workload',
      values: { ...workload, providers: ['nosuchcloud'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.output).toMatchObject({ valid: false, findings: [] });
    expect(res.body.output.error).toMatch(/nosuchcloud/);
  });

  it('refuses what is not a template, and names a template that does not exist', async () => {
    const notTemplate = await invoke(server, {
      template: 'component:default/pihole',
      values: {},
    });
    expect(notTemplate.status).toBe(400);
    expect(notTemplate.body.error.message).toMatch(/^Invalid input: template:/);
    const missing = await invoke(server, { template: 'no-such-template' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(
      'template:default/no-such-template',
    );
  });

  it("is refused to a caller denied the scaffolder's dry-run permissions", async () => {
    asked.length = 0;
    const res = await invoke(
      server,
      { template: 'provider-workload', values: workload },
      OUTSIDER,
    );
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(asked.sort()).toEqual([
      'scaffolder.task.create',
      'scaffolder.template.dry-run',
    ]);
  });
});

describeWithValidator()(
  'scaffolder:validate-gitops-change on a tree that does not validate',
  () => {
    const repository = makeLocalRepository();
    let server: any;

    beforeAll(async () => {
      const pvc = path.join(
        repository,
        'gitops/apps/pihole/base/persistentvolumeclaim.yaml',
      );
      fs.writeFileSync(
        pvc,
        fs.readFileSync(pvc, 'utf8').replace('accessModes', 'accessModez'),
      );
      git(repository, 'commit', '-q', '-am', 'a broken claim');
      server = await start(repository);
    });
    afterAll(() => fs.rmSync(repository, { recursive: true, force: true }));

    it("answers not valid, with the validator's findings", async () => {
      const before = refsOf(repository);
      const res = await invoke(server, {
        template: 'provider-workload',
        values: workload,
      });
      expect(res.status).toBe(200);
      const out = res.body.output;
      expect(out.valid).toBe(false);
      expect(out.error).toMatch(/does not validate \(\d+ findings\)/);
      expect(out.findings.length).toBeGreaterThan(0);
      expect(out.findings.join('\n')).toMatch(/accessModez/);
      expect(refsOf(repository)).toBe(before);
    });
  },
);
