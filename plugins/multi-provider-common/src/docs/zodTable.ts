import { z } from 'zod';
import { htmlCode } from './markdown';

/** One documented field of a zod schema. */
export interface FieldRow {
  /** Dotted path; `[]` marks array items. */
  path: string;
  type: string;
  required: boolean;
  /** Constraints and default, in words. */
  notes: string;
}

type Def = {
  typeName: string;
  innerType?: z.ZodTypeAny;
  schema?: z.ZodTypeAny;
  type?: z.ZodTypeAny;
  valueType?: z.ZodTypeAny;
  values?: string[];
  value?: unknown;
  options?: z.ZodTypeAny[];
  checks?: { kind: string; value?: number; regex?: RegExp }[];
  defaultValue?: () => unknown;
};

const defOf = (s: z.ZodTypeAny) => s._def as Def;

/** Peels optional, nullable, default and effects wrappers, collecting what they say. */
function unwrap(schema: z.ZodTypeAny) {
  let s = schema;
  let optional = false;
  let nullable = false;
  let defaultValue: unknown;
  for (;;) {
    const d = defOf(s);
    if (d.typeName === 'ZodOptional') optional = true;
    else if (d.typeName === 'ZodNullable') nullable = true;
    else if (d.typeName === 'ZodDefault') {
      optional = true;
      defaultValue = d.defaultValue?.();
    } else if (d.typeName !== 'ZodEffects') break;
    s = (d.innerType ?? d.schema)!;
  }
  return { inner: s, optional, nullable, defaultValue };
}

function typeName(schema: z.ZodTypeAny): string {
  const { inner, nullable } = unwrap(schema);
  const d = defOf(inner);
  let t: string;
  switch (d.typeName) {
    case 'ZodString':
      t = 'string';
      break;
    case 'ZodNumber':
      t = 'number';
      break;
    case 'ZodBoolean':
      t = 'boolean';
      break;
    case 'ZodEnum':
      t = d.values!.map(v => `\`${v}\``).join(' \\| ');
      break;
    case 'ZodLiteral':
      t = `\`${String(d.value)}\``;
      break;
    case 'ZodArray':
      t = `${typeName(d.type!)}[]`;
      break;
    case 'ZodRecord':
      t = `map of ${typeName(d.valueType!)}`;
      break;
    case 'ZodObject':
      t = 'object';
      break;
    case 'ZodUnion':
      t = d.options!.map(typeName).join(' \\| ');
      break;
    case 'ZodPipeline':
      // A parsed-then-validated value (e.g. a comma list into an array): document the result.
      t = typeName((d as unknown as { out: z.ZodTypeAny }).out);
      break;
    default:
      throw new Error(`zodTable: unsupported zod type ${d.typeName}`);
  }
  return nullable ? `${t} \\| null` : t;
}

function notes(schema: z.ZodTypeAny): string {
  const { inner, defaultValue } = unwrap(schema);
  const parts: string[] = [];
  for (const c of defOf(inner).checks ?? []) {
    if (c.kind === 'min') parts.push(`≥ ${c.value}`);
    if (c.kind === 'max') parts.push(`≤ ${c.value}`);
    if (c.kind === 'regex') parts.push(`pattern ${htmlCode(c.regex!.source)}`);
  }
  if (defaultValue !== undefined) {
    parts.push(`default \`${JSON.stringify(defaultValue)}\``);
  }
  return parts.join('; ');
}

/** The fields of an object schema, depth first, nested objects and array items included. */
export function fieldRows(schema: z.ZodTypeAny, prefix = ''): FieldRow[] {
  const { inner } = unwrap(schema);
  const d = defOf(inner);
  if (d.typeName === 'ZodArray') return fieldRows(d.type!, `${prefix}[]`);
  if (d.typeName !== 'ZodObject') return [];
  const rows: FieldRow[] = [];
  for (const [key, field] of Object.entries(
    (inner as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>,
  )) {
    const path = prefix ? `${prefix}.${key}` : key;
    rows.push({
      path,
      type: typeName(field),
      required: !unwrap(field).optional,
      notes: notes(field),
    });
    rows.push(...fieldRows(field, path));
  }
  return rows;
}

/** A Markdown table of an object schema's fields. */
export function fieldTable(schema: z.ZodTypeAny): string[] {
  return [
    '| field | type | required | constraints |',
    '|---|---|---|---|',
    ...fieldRows(schema).map(
      r =>
        `| \`${r.path}\` | ${r.type} | ${
          r.required ? 'yes' : ''
        } | ${r.notes.replace(/\|/g, '\\|')} |`,
    ),
  ];
}
