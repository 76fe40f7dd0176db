import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ActionsRegistryActionOptions,
  ActionsRegistryService,
} from '@backstage/backend-plugin-api/alpha';
import { AnyZodObject, z } from 'zod';
import { authorizeCredentials } from '../shared/guard';
import { RouteKey, routePermission, tableRoute } from '../shared/tableRouter';

/** The registry's own zod object type (its copy of zod differs from the route table's). */
type RegistryZodObject = ReturnType<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>;

/** One read-only analysis offered as an action, answering what `route` answers. */
export interface RouteActionSpec<I extends AnyZodObject> {
  /** Action name; the registry prefixes the plugin id (`multi-provider:<name>`). */
  name: string;
  title: string;
  /** Written for an agent deciding whether to call it: what, when, inputs, outputs. */
  description: string;
  /** The route whose permission guards the action and whose response schema is its output. */
  route: RouteKey;
  input: I;
  /** Calls the same service method as the route's handler, so both give the same object. */
  answer(
    input: z.output<I>,
    credentials: BackstageCredentials,
  ): Promise<object>;
}

/**
 * Registers `spec` as an action that reads and changes nothing. The route table supplies its
 * permission and output schema, so an action cannot drift from its route: the caller's
 * credentials are authorized with the route's permission before a cache or the catalog is read (the same
 * check as the route's, `NotAllowedError` otherwise), and the answer is validated against the
 * route's response schema by the registry.
 */
export function registerRouteAction<I extends AnyZodObject>(
  registry: ActionsRegistryService,
  permissions: PermissionsService,
  spec: RouteActionSpec<I>,
): void {
  const row = tableRoute(spec.route);
  const permission = routePermission(row);
  // The registry converts and parses these through their own methods (`safeParse`, and
  // zod-to-json-schema reading `_def`), which any zod 3 copy provides; only the types differ.
  const input = spec.input as unknown as RegistryZodObject;
  const output = row.response as unknown as RegistryZodObject;
  registry.register({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: { input: () => input, output: () => output },
    action: async ({ input: parsed, credentials }) => {
      await authorizeCredentials(permissions, permission, credentials);
      return {
        output: await spec.answer(parsed as z.output<I>, credentials),
      };
    },
  });
}
