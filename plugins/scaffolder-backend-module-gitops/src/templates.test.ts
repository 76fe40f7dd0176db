import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { templateStringFields } from './__testUtils__/templateFields';
import { REPO_ROOT } from './__testUtils__/workspace';
import { createActions } from './actions';

const TEMPLATES = path.join(REPO_ROOT, 'templates');
const actions = createActions({
  publish: 'local',
  defaultBranch: 'main',
  validatorTimeoutSeconds: 120,
});
const BUILT_IN = [
  'fetch:plain',
  'publish:github:pull-request',
  'publish:gitlab:merge-request',
];
const targets: string[] = parse(
  fs.readFileSync(path.join(TEMPLATES, 'all.yaml'), 'utf8'),
).spec.targets;

describe('templates/', () => {
  it('keeps the template the portal e2e test looks for', () => {
    const titles = targets.map(
      t =>
        parse(fs.readFileSync(path.join(TEMPLATES, t), 'utf8')).metadata.title,
    );
    expect(titles).toContain('Workload pinned to providers');
  });

  it.each(targets)(
    '%s uses known actions with known inputs and ends in the configured publish step',
    target => {
      const template = parse(
        fs.readFileSync(path.join(TEMPLATES, target), 'utf8'),
      );
      expect(template.apiVersion).toBe('scaffolder.backstage.io/v1beta3');
      expect(template.spec.output.links.length).toBeGreaterThan(0);
      const steps = template.spec.steps as {
        id: string;
        action: string;
        if?: string;
        input?: Record<string, unknown>;
      }[];
      expect(steps[0].action).toBe('cloudlab:gitops:checkout');
      expect(steps.map(s => s.action).slice(-4)).toEqual([
        'cloudlab:gitops:validate',
        'cloudlab:git:commit',
        'publish:github:pull-request',
        'publish:gitlab:merge-request',
      ]);
      const problems: string[] = [];
      for (const step of steps) {
        const action = actions.find(a => a.id === step.action);
        if (!action) {
          if (!BUILT_IN.includes(step.action)) {
            problems.push(`${step.id}: unknown action ${step.action}`);
          }
          continue;
        }
        const props = Object.keys(
          (action.schema?.input as any)?.properties ?? {},
        );
        for (const key of Object.keys(step.input ?? {})) {
          if (!props.includes(key)) {
            problems.push(`${step.id}: ${step.action} has no input ${key}`);
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(targets)(
    '%s bounds every string parameter, and reads Secret fields only from secrets (security properties 2 and 3)',
    target => {
      const template = parse(
        fs.readFileSync(path.join(TEMPLATES, target), 'utf8'),
      );
      const problems: string[] = [];
      const secretFields: string[] = [];
      // At every depth: array items and nested objects are typed in the form too.
      for (const { at, schema } of templateStringFields(template)) {
        if (!schema.enum && typeof schema.maxLength !== 'number')
          problems.push(`${at.join('.')}: no maxLength`);
        if (schema['ui:field'] === 'Secret') secretFields.push(at.join('.'));
      }
      const text = JSON.stringify(template.spec.steps);
      for (const key of secretFields) {
        // The Secret field's parameter holds stars; the value is only in secrets.<key>.
        if (text.includes(`parameters.${key}`))
          problems.push(`${key}: a Secret field read from parameters`);
        if (!text.includes(`secrets.${key}`))
          problems.push(`${key}: a Secret field no step uses`);
      }
      expect(problems).toEqual([]);
    },
  );
});
