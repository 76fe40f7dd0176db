import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  isTemplateEntityV1beta3,
  ScaffolderDryRunOptions,
} from '@backstage/plugin-scaffolder-common';
import {
  taskCreatePermission,
  templateDryRunPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import { ScaffolderService } from '@backstage/plugin-scaffolder-node';
import { findingsOfValidationFailure } from './actions/gitopsValidate';

/** The action id's name part; the registry prefixes the plugin id (`scaffolder:`). */
export const VALIDATE_CHANGE_ACTION = 'validate-gitops-change';
const VALIDATE_STEP = 'cloudlab:gitops:validate';
/** Log lines returned; a template's dry run logs a few dozen. */
const MAX_LOG_LINES = 200;

/** The step log's messages are coloured for a terminal; an agent reads text. */
// eslint-disable-next-line no-control-regex
const stripColours = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * The permissions the scaffolder's own dry-run route (`POST /v2/dry-run`) requires. Checked
 * here first so a refused caller gets `NotAllowedError` before the catalog is read; the route
 * checks them again.
 */
const DRY_RUN_PERMISSIONS = [taskCreatePermission, templateDryRunPermission];

export interface ValidateChangeActionOptions {
  actionsRegistry: ActionsRegistryService;
  scaffolder: ScaffolderService;
  catalog: CatalogService;
  permissions: PermissionsService;
}

const DESCRIPTION = [
  "Validates a proposed change of the Cloudlab GitOps tree without making it: dry-runs one of the Cloudlab software templates with the given form values through the scaffolder (the template's own steps render the files in a temporary workspace, then the repository's GitOps validator checks the whole tree with those files) and answers whether the tree would validate, with the validator's findings.",
  'Nothing is committed, pushed or opened as a pull request, and the cluster is not touched; calling it again with the same input gives the same answer while the tree is unchanged.',
  'Use it before proposing a change ("would a workload X on hetzner and scaleway be valid", "check these template values"), or to explain why a template run failed.',
  "Input: `template` is the template entity (`template:default/provider-workload`, or just its name); `values` are its form values, checked against the template's parameter schema (a value the schema refuses is an input error naming the field). Only templates with a `cloudlab:gitops:validate` step are accepted.",
  "Output: `valid` is true when every step passed, validation included; `findings` lists the validator's findings when the tree does not validate (each names its rule layer and file); `error` says which failure stopped the dry run when it was not (only) the validation; `log` is the dry run's step log (the files each step would create or change).",
].join(' ');

/** `template` as a full entity reference: kind defaults to template, namespace to default. */
function templateRef(template: string): string {
  let ref;
  try {
    ref = parseEntityRef(template, {
      defaultKind: 'template',
      defaultNamespace: 'default',
    });
  } catch (e) {
    throw new InputError(`Invalid input: template: ${(e as Error).message}`);
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'template') {
    throw new InputError(
      `Invalid input: template: ${template} is a ${ref.kind}, not a Template`,
    );
  }
  return stringifyEntityRef(ref);
}

async function authorize(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
) {
  const decisions = await permissions.authorize(
    DRY_RUN_PERMISSIONS.map(permission => ({ permission })),
    { credentials },
  );
  if (decisions.some(d => d.result !== AuthorizeResult.ALLOW)) {
    throw new NotAllowedError('Unauthorized');
  }
}

/** By name: the client may throw another copy's class than this package's. */
const isResponseError = (e: unknown): e is ResponseError =>
  isError(e) && e.name === 'ResponseError';

/**
 * The form values the template's parameter schema refused, from the dry-run route's 400 answer
 * (`{ errors: [...] }`, JSON Schema errors: not Backstage's error body, so the client's
 * `ResponseError` carries it as text); undefined for any other failure.
 */
function parameterErrors(e: ResponseError): string[] | undefined {
  const raw = /^Request failed with status \d+[^,]*, (.*)$/s.exec(
    e.body.error.message,
  )?.[1];
  if (!raw) return undefined;
  try {
    const errors = JSON.parse(raw)?.errors;
    if (!Array.isArray(errors)) return undefined;
    return errors.map((x: { stack?: string; message?: string }) =>
      String(x.stack ?? x.message).replace(/^instance\.?/, ''),
    );
  } catch {
    return undefined;
  }
}

/**
 * Registers `validate-gitops-change`: the dry run of a Cloudlab template as a read-only action
 * (offered as an MCP tool by `@backstage/plugin-mcp-actions-backend`). It adds no rendering or
 * validation of its own: the scaffolder's dry run renders the template's steps, this module's
 * actions stage their files in memory (dry-run mode), `cloudlab:gitops:validate` runs the
 * validator on a temporary copy, and the commit and publish steps do nothing in a dry run.
 */
export function registerValidateChangeAction(
  options: ValidateChangeActionOptions,
): void {
  const { actionsRegistry, scaffolder, catalog, permissions } = options;
  actionsRegistry.register({
    name: VALIDATE_CHANGE_ACTION,
    title: 'Validate a proposed GitOps change (template dry run)',
    description: DESCRIPTION,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          template: z
            .string()
            .min(1)
            .max(300)
            .describe(
              'The Cloudlab template: an entity reference such as template:default/provider-workload, or its name (provider-workload).',
            ),
          values: z
            .record(z.unknown())
            .default({})
            .describe(
              "The template's form values, as its parameters name them (for example name, image, providers, owner).",
            ),
        }),
      output: z =>
        z.object({
          template: z.string().describe('The template that was dry-run'),
          valid: z
            .boolean()
            .describe('Whether every step, validation included, passed'),
          findings: z
            .array(z.string())
            .describe(
              "The validator's findings; empty when the tree validates",
            ),
          error: z
            .string()
            .optional()
            .describe('The failure that stopped the dry run, when one did'),
          log: z
            .array(z.string())
            .describe('The dry run step log, as "step: message"'),
        }),
    },
    action: async ({ input, credentials }) => {
      await authorize(permissions, credentials);
      const ref = templateRef(input.template);
      const template = await catalog.getEntityByRef(ref, { credentials });
      if (!template) throw new NotFoundError(`No template ${ref}`);
      if (!isTemplateEntityV1beta3(template)) {
        throw new InputError(
          `Invalid input: template: ${ref} is not a scaffolder.backstage.io/v1beta3 Template`,
        );
      }
      if (!template.spec.steps.some(s => s.action === VALIDATE_STEP)) {
        throw new InputError(
          `Invalid input: template: ${ref} has no ${VALIDATE_STEP} step, so a dry run would not validate the GitOps tree`,
        );
      }
      try {
        const result = await scaffolder.dryRun(
          {
            template,
            // Parsed from the action's JSON input, so JSON values.
            values: input.values as ScaffolderDryRunOptions['values'],
            directoryContents: [],
          },
          { credentials },
        );
        const log = result.log
          .map(
            l =>
              `${l.body.stepId ?? 'dry-run'}: ${stripColours(l.body.message)}`,
          )
          .slice(0, MAX_LOG_LINES);
        return {
          output: { template: ref, valid: true, findings: [], log },
        };
      } catch (e) {
        if (!isResponseError(e)) throw e;
        const failure = e;
        const status = failure.response.status;
        if (status === 403)
          throw new NotAllowedError(failure.body.error.message);
        if (status !== 400) throw e;
        const refused = parameterErrors(failure);
        if (refused) {
          throw new InputError(`Invalid input: values: ${refused.join('; ')}`);
        }
        // A 400 with Backstage's error body: a step refused the change (the validator's
        // findings, or an action's own input rule), which is the answer, not an error.
        const message = failure.body.error.message;
        return {
          output: {
            template: ref,
            valid: false,
            findings: findingsOfValidationFailure(message) ?? [],
            error: message,
            log: [],
          },
        };
      }
    },
  });
}
