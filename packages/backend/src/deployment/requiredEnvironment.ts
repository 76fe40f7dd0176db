import fs from 'node:fs';
import YAML from 'yaml';

/**
 * A configuration file opts in with `cloudlab.deployment.requireEnvironment: true`: then every
 * `${VAR}` it uses without a `:-` fallback must be set. Backstage drops a key whose variable is
 * unset and the layers below fill the gap (the development database, a localhost base URL), so
 * without this a deployment missing a secret would start half-configured instead of failing.
 */
export const REQUIRE_ENVIRONMENT_KEY = 'cloudlab.deployment.requireEnvironment';

/** A `${VAR}` a configuration file uses, with the config key it sets. */
export interface MissingVariable {
  file: string;
  key: string;
  variable: string;
}

const VARIABLE = /(\$?)\$\{([^{}]*)\}/g;

function walk(
  node: unknown,
  key: string,
  visit: (key: string, value: string) => void,
) {
  if (typeof node === 'string') visit(key, node);
  else if (Array.isArray(node))
    node.forEach((v, i) => walk(v, `${key}[${i}]`, visit));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      walk(v, key ? `${key}.${k}` : k, visit);
    }
  }
}

function optedIn(doc: any): boolean {
  return doc?.cloudlab?.deployment?.requireEnvironment === true;
}

/**
 * The variables an opted-in configuration file (its text) uses and `env` does not set, with the
 * key each one sets; empty for a file that did not opt in.
 */
export function missingVariables(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
): MissingVariable[] {
  const doc = YAML.parse(text);
  if (!optedIn(doc)) return [];
  const missing: MissingVariable[] = [];
  walk(doc, '', (key, value) => {
    for (const [, escaped, body] of value.matchAll(VARIABLE)) {
      if (escaped || body.includes(':-')) continue;
      const variable = body.trim();
      if (!env[variable]) missing.push({ file, key, variable });
    }
  });
  return missing;
}

/** The `--config` files of a command line, in order. */
export function configFiles(argv: string[]): string[] {
  const files: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--config' && argv[i + 1]) files.push(argv[i + 1]);
    else if (arg.startsWith('--config=')) files.push(arg.slice(9));
  });
  return files;
}

/**
 * Throws naming every missing variable and the key it sets, for the `--config` files of `argv`
 * that opted in; the backend calls it before it starts anything.
 */
export function assertRequiredEnvironment(
  argv: string[] = process.argv,
  env: Record<string, string | undefined> = process.env,
) {
  const missing = configFiles(argv).flatMap(file =>
    missingVariables(file, fs.readFileSync(file, 'utf8'), env),
  );
  if (missing.length === 0) return;
  throw new Error(
    `cannot start: ${missing
      .map(m => `${m.key} needs ${m.variable} (${m.file})`)
      .join('; ')}`,
  );
}
