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
 * Flux's postBuild variable substitution (fluxcd/pkg/envsubst, not strict): `${var}`, and
 * `${var:=default}` / `${var:-default}` where the variable is empty; an undefined variable is
 * empty (Flux's default mode treats every variable as set); `$${var}` is the literal `${var}`;
 * `$var` without braces is left as it is.
 *
 * @public
 */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])([^}]*))?\}/g,
    (_whole, name: string | undefined, op?: string, def?: string) => {
      if (name === undefined) return '${';
      const value = Object.hasOwn(vars, name) ? vars[name] : '';
      return op?.startsWith(':') && value === '' ? def ?? '' : value;
    },
  );
}
