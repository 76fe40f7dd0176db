import { parseAllDocuments } from 'yaml';

/**
 * A Kubernetes object as plain data.
 *
 * @public
 */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

/**
 * Parses a multi-document YAML stream into objects, skipping empty documents.
 *
 * @public
 */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map(d => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && !!o.kind);
}

/**
 * Flux's postBuild variable substitution: `${var}` and `${var:=default}`; unknown variables
 * without a default are left as they are, as Flux does.
 *
 * @public
 */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::=([^}]*))?\}/g,
    (whole, name: string, def?: string) => vars[name] ?? def ?? whole,
  );
}
