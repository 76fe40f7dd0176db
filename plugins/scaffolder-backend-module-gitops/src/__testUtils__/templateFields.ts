/** A JSON Schema of a template's form, as far as the tests read it. */
export type FieldSchema = {
  type?: string;
  properties?: Record<string, FieldSchema>;
  items?: FieldSchema;
  enum?: unknown[];
  maxLength?: number;
  pattern?: string;
  'ui:field'?: string;
  dependencies?: Record<string, { oneOf?: FieldSchema[] }>;
};

/**
 * Every string field of a template's form, at every depth (object properties, array items as
 * element 0, the branches of `dependencies`), once per path, with its schema.
 */
export function templateStringFields(template: {
  spec: { parameters: FieldSchema | FieldSchema[] };
}): { at: (string | number)[]; schema: FieldSchema }[] {
  const out = new Map<
    string,
    { at: (string | number)[]; schema: FieldSchema }
  >();
  const walk = (s: FieldSchema | undefined, at: (string | number)[]) => {
    if (!s) return;
    if (s.type === 'string') {
      if (!out.has(at.join('.'))) out.set(at.join('.'), { at, schema: s });
      return;
    }
    if (s.type === 'array') walk(s.items, [...at, 0]);
    for (const [k, p] of Object.entries(s.properties ?? {}))
      walk(p, [...at, k]);
    for (const d of Object.values(s.dependencies ?? {}))
      for (const o of d.oneOf ?? []) walk({ ...o, type: 'object' }, at);
  };
  for (const page of [template.spec.parameters].flat())
    walk({ ...page, type: 'object' }, []);
  return [...out.values()];
}
