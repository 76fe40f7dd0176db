import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  generatedNotice,
  htmlCode,
} from '@cloudlab/plugin-multi-provider-common';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  pattern?: string;
  enum?: unknown[];
  default?: unknown;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  anyOf?: JsonSchema[];
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map(v => `\`${String(v)}\``).join(' \\| ');
  if (s.type === 'array') return `${typeOf(s.items ?? {})}[]`;
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  return String(s.type ?? 'any');
}

function constraints(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.pattern) parts.push(`pattern ${htmlCode(s.pattern)}`);
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  if (s.maxLength !== undefined) parts.push(`≤ ${s.maxLength} characters`);
  if (s.default !== undefined)
    parts.push(`default \`${JSON.stringify(s.default)}\``);
  return parts.join('; ');
}

function rows(schema: JsonSchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const name = `${prefix}${key}`;
    const required = schema.required?.includes(key) ? 'yes' : '';
    out.push(
      `| \`${name}\` | ${typeOf(prop)} | ${required} | ${cell(
        prop.description ?? '',
      )} | ${cell(constraints(prop))} |`,
    );
    if (prop.type === 'object') out.push(...rows(prop, `${name}.`));
    if (prop.type === 'array' && prop.items?.type === 'object') {
      out.push(...rows(prop.items, `${name}[].`));
    }
  }
  return out;
}

/**
 * The reference page of the actions, generated from their schemas (the JSON Schema the
 * scaffolder itself derives from the zod callbacks) and examples.
 */
export function renderActionsDoc(
  actions: TemplateAction<any, any, any>[],
): string {
  const lines = [
    '# Scaffolder actions reference',
    '',
    ...generatedNotice(
      'the action schemas',
      'plugins/scaffolder-backend-module-gitops/src/docs/actionsDoc.test.ts',
    ),
    'Every file-writing action validates its input (per-field messages), reads the provider',
    'registry, writes only inside the workspace, is idempotent and atomic, supports dry run, and',
    'outputs `created` and `changed` (workspace-relative paths).',
    '',
  ];
  for (const a of actions) {
    lines.push(`## \`${a.id}\``, '', a.description ?? '', '');
    lines.push(
      `Dry run: ${a.supportsDryRun ? 'supported' : 'not supported'}.`,
      '',
    );
    const input = (a.schema?.input ?? {}) as JsonSchema;
    const inputRows = rows(input);
    if (inputRows.length) {
      lines.push(
        '| input | type | required | description | constraints |',
        '|---|---|---|---|---|',
      );
      lines.push(...inputRows, '');
    } else lines.push('No input.', '');
    const output = (a.schema?.output ?? {}) as JsonSchema;
    const outputs = Object.entries(output.properties ?? {});
    if (outputs.length) {
      lines.push('| output | type | description |', '|---|---|---|');
      for (const [k, v] of outputs)
        lines.push(
          `| \`${k}\` | ${typeOf(v)} | ${cell(v.description ?? '')} |`,
        );
      lines.push('');
    }
    for (const ex of a.examples ?? []) {
      lines.push(
        `Example — ${ex.description}:`,
        '',
        '```yaml',
        ex.example.trimEnd(),
        '```',
        '',
      );
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
