import { z } from 'zod';

/**
 * What a VaultStaticSecret promises its consumers: the Secret it writes and exactly the keys that
 * Secret holds, with the Vault secret it reads them from (docs/adr/1014-secret-contracts.md).
 *
 * @public
 */
export interface SecretContract {
  /** Namespace of the VaultStaticSecret and of the Secret it writes. */
  namespace: string;
  /** The VaultStaticSecret's name. */
  name: string;
  /** The destination Secret's name. */
  secret: string;
  /** KV mount and path the keys are read from. */
  mount: string;
  path: string;
  /** The VaultAuth in the same namespace that VSO authenticates with. */
  vaultAuthRef: string;
  /** The declared keys, in declaration order. */
  keys: string[];
}

// One declared key as an includes pattern: anchored and literal (a Secret key's characters,
// dots escaped), so it admits exactly that key and the key can be read back.
const DECLARED_KEY = /^\^((?:[-_a-zA-Z0-9]|\\\.)+)\$$/;
const NOT_DECLARATIONS = ['excludes', 'templates', 'transformationRefs'];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The keys a VaultStaticSecret's `spec.destination` declares: `transformation.excludeRaw: true`
 * and `transformation.includes` of anchored literal keys, the form VSO enforces (it writes only
 * the matching fields of the Vault secret, and no `_raw`). Throws an error naming the field for
 * any other form. The Go validator answers the same vectors (conformance/secret-contract).
 *
 * @public
 */
export function declaredSecretKeys(destination: unknown): string[] {
  const t = isRecord(destination) ? destination.transformation : undefined;
  if (!isRecord(t)) {
    throw new Error(
      'destination.transformation is missing: declare the keys with excludeRaw: true and includes ["^key$", …]',
    );
  }
  if (t.excludeRaw !== true) {
    throw new Error(
      'destination.transformation.excludeRaw must be true (else VSO adds the undeclared key _raw)',
    );
  }
  for (const f of NOT_DECLARATIONS) {
    if (f in t) {
      throw new Error(
        `destination.transformation.${f} is not part of a key declaration (only excludeRaw and includes)`,
      );
    }
  }
  const includes = Array.isArray(t.includes) ? t.includes : [];
  if (includes.length === 0) {
    throw new Error(
      'destination.transformation.includes must list the declared keys as anchored patterns ("^key$")',
    );
  }
  const keys: string[] = [];
  includes.forEach((p, i) => {
    const m = typeof p === 'string' ? DECLARED_KEY.exec(p) : null;
    if (!m) {
      throw new Error(
        `destination.transformation.includes[${i}] ${JSON.stringify(
          p,
        )} is not one literal key as ^key$ (letters, digits, -, _, \\.)`,
      );
    }
    const key = m[1].replace(/\\\./g, '.');
    if (keys.includes(key)) {
      throw new Error(
        `destination.transformation.includes[${i}] declares key "${key}" twice`,
      );
    }
    keys.push(key);
  });
  return keys;
}

/**
 * The `spec.destination.transformation` that declares exactly `keys` in the form
 * {@link declaredSecretKeys} reads (and VSO enforces): `excludeRaw: true` and one anchored literal
 * pattern per key, dots escaped.
 *
 * @public
 */
export function secretKeysDeclaration(keys: string[]): {
  excludeRaw: true;
  includes: string[];
} {
  return {
    excludeRaw: true,
    includes: keys.map(k => `^${k.replace(/\./g, '\\.')}$`),
  };
}

const vaultStaticSecretSchema = z.object({
  kind: z.literal('VaultStaticSecret'),
  metadata: z.object({ name: z.string().min(1), namespace: z.string().min(1) }),
  spec: z.object({
    mount: z.string().min(1),
    path: z.string().min(1),
    vaultAuthRef: z.string().min(1),
    destination: z.object({ name: z.string().min(1) }).passthrough(),
  }),
});

/**
 * The contract of one rendered VaultStaticSecret. Throws an error naming the object and the
 * field when the object is not a VaultStaticSecret with mount, path, vaultAuthRef and a declared
 * destination.
 *
 * @public
 */
export function secretContractOf(object: unknown): SecretContract {
  const meta = isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
  const id = `VaultStaticSecret ${meta.namespace ?? '?'}/${meta.name ?? '?'}`;
  const parsed = vaultStaticSecretSchema.safeParse(object);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${id}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const { metadata, spec } = parsed.data;
  let keys: string[];
  try {
    keys = declaredSecretKeys(spec.destination);
  } catch (e) {
    throw new Error(`${id}: spec.${(e as Error).message}`);
  }
  return {
    namespace: metadata.namespace,
    name: metadata.name,
    secret: spec.destination.name,
    mount: spec.mount,
    path: spec.path,
    vaultAuthRef: spec.vaultAuthRef,
    keys,
  };
}
