import { multiProviderRoutes, type MultiProviderRoute } from '../api/routes';
import { multiProviderPermissions } from '../permissions';
import { PROVIDER_API_VERSION, providerDocSchema } from '../registry/schema';
import { generatedNotice } from './generatedDoc';
import { fieldTable } from './zodTable';

const notice = (what: string) =>
  generatedNotice(
    what,
    'plugins/multi-provider-common/src/docs/referenceDocs.test.ts',
  );

const anchor = (r: MultiProviderRoute) =>
  `${r.method} ${r.path}`
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

/** `docs/reference/multi-provider-api.md`: the backend plugin's routes from their zod schemas. */
export function renderApiDoc(
  routes: readonly MultiProviderRoute[] = multiProviderRoutes,
): string {
  const lines = [
    '# Multi-provider backend API',
    '',
    ...notice('the zod schemas in plugins/multi-provider-common/src/api'),
    'Base path: `/api/multi-provider` (Backstage discovery: `discoveryApi.getBaseUrl(',
    "'multi-provider')`). Every route authorizes its permission first (denied → `403`, before",
    'any input is read), validates its input with the schema below (invalid → `400` naming the',
    'field) and answers from the cache, never by calling a cluster. Every per-cluster answer',
    'carries `cluster`, `state` (`syncing` / `synced` / `stale` / `error`), `staleSince` and',
    '`error`, so one unreachable cluster never hides the others. The frontend client parses every',
    'answer with the same schemas.',
    '',
    '| method | path | permission | response type |',
    '|---|---|---|---|',
    ...routes.map(
      r =>
        `| ${r.method} | [\`${r.path}\`](#${anchor(r)}) | \`${
          r.permission
        }\` | \`${r.responseType}\` |`,
    ),
    '',
  ];
  for (const r of routes) {
    lines.push(`## ${r.method} ${r.path}`, '', r.summary, '');
    lines.push(`Permission: \`${r.permission}\`.`, '');
    if (r.params) {
      lines.push('Path parameters:', '', ...fieldTable(r.params), '');
    }
    if (r.query) {
      lines.push('Query parameters:', '', ...fieldTable(r.query), '');
    }
    if (r.body) {
      lines.push('JSON body:', '', ...fieldTable(r.body), '');
    }
    lines.push(
      `Response (\`${r.responseType}\`):`,
      '',
      ...fieldTable(r.response),
      '',
    );
  }
  lines.push(
    '## Permissions',
    '',
    '| permission | action |',
    '|---|---|',
    ...multiProviderPermissions.map(
      p =>
        `| \`${p.name}\` | ${
          (p.attributes as { action?: string }).action ?? ''
        } |`,
    ),
  );
  return `${lines.join('\n').trimEnd()}\n`;
}

/** `docs/reference/provider-registry-schema.md`: the `providers/*.yaml` schema. */
export function renderRegistryDoc(): string {
  const lines = [
    '# Provider registry schema',
    '',
    ...notice(
      'the zod schema in plugins/multi-provider-common/src/registry/schema.ts',
    ),
    `Every file \`providers/<name>.yaml\` holds one document of kind \`Provider\`, API version`,
    `\`${PROVIDER_API_VERSION}\`. The plugins, the scaffolder actions, the gitops validator's`,
    'inputs and the lab all parse it with this one schema; an invalid document is an error that',
    'names the file and the field. What the fields mean: [Provider registry and',
    'taxonomy](providers.md).',
    '',
    ...fieldTable(providerDocSchema),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
