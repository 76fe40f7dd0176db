import crypto from 'node:crypto';
import fs from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { requestText } from './tlsRequest';

/** KV v2 custom metadata naming the keys the lab seeded a secret with. */
const SEEDED_KEYS = 'cloudlab.dev/seeded-keys';

/**
 * A minimal client of the Vault HTTP API, as the lab's OpenBao server serves it, authenticated
 * with the root token; over https it trusts only the given CA.
 */
export class VaultApi {
  constructor(
    readonly address: string,
    private readonly token: string,
    private readonly ca?: string,
  ) {}

  async request(
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; json: any }> {
    const res = await requestText(`${this.address}/v1/${apiPath}`, {
      method,
      headers: {
        'X-Vault-Token': this.token,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      ca: this.ca,
    });
    const text = res.body;
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, json };
  }

  /** Like request, but throws on HTTP errors (the message never includes request bodies). */
  async call(method: string, apiPath: string, body?: unknown): Promise<any> {
    const r = await this.request(method, apiPath, body);
    if (r.status >= 400) {
      throw new Error(
        `vault ${method} ${apiPath}: HTTP ${r.status} ${JSON.stringify(
          r.json?.errors ?? r.json,
        )}`,
      );
    }
    return r.json;
  }

  /** Writes a KV v2 secret (new version). */
  async kvPut(mount: string, secretPath: string, data: Record<string, string>) {
    return this.call('POST', `${mount}/data/${secretPath}`, { data });
  }

  /** Current version number of a KV v2 secret (metadata only), or undefined when absent. */
  async kvVersion(mount: string, secretPath: string) {
    const r = await this.request('GET', `${mount}/metadata/${secretPath}`);
    return r.status === 200
      ? (r.json.data.current_version as number)
      : undefined;
  }

  /**
   * The key names a KV v2 secret was seeded with, from its custom metadata (never its data), or
   * undefined when absent or not seeded by the lab.
   */
  async kvSeededKeys(mount: string, secretPath: string) {
    const r = await this.request('GET', `${mount}/metadata/${secretPath}`);
    const v = r.status === 200 ? r.json.data.custom_metadata?.[SEEDED_KEYS] : undefined;
    return typeof v === 'string' ? v : undefined;
  }

  /** Records the key names a KV v2 secret was seeded with in its custom metadata. */
  async kvMarkSeededKeys(mount: string, secretPath: string, keys: string[]) {
    return this.call('POST', `${mount}/metadata/${secretPath}`, {
      custom_metadata: { [SEEDED_KEYS]: keys.join(',') },
    });
  }
}

/** Explicit names only: never empty, never "*" (VSO scoping, docs/security.md). */
const explicitNames = z
  .array(
    z
      .string()
      .min(1)
      .refine(s => !s.includes('*'), 'must be explicit, not a wildcard'),
  )
  .min(1, 'must name at least one');

/** A Kubernetes-auth role as declared in gitops/platform/vault/configmap.yaml (roles.yaml). */
const declaredRoleSchema = z.object({
  name: z.string().min(1),
  boundServiceAccountNames: explicitNames,
  boundServiceAccountNamespaces: explicitNames,
  audience: z.string().min(1, 'must be set'),
  policies: z.array(z.string().min(1)).min(1),
  tokenTTL: z.string().optional(),
});
export type DeclaredRole = z.infer<typeof declaredRoleSchema>;

/**
 * Reads the roles the platform declares for the Kubernetes auth method; refuses to seed a
 * role that binds "*" or no service account, namespace or audience (error names the field).
 */
export function declaredRoles(configMapFile: string): DeclaredRole[] {
  const cm = parse(fs.readFileSync(configMapFile, 'utf8')) as {
    data?: Record<string, string>;
  };
  const parsed = z
    .array(declaredRoleSchema)
    .safeParse(parse(cm.data?.['roles.yaml'] ?? 'null'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${configMapFile}: data.roles.yaml at ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/**
 * One secret the platform expects in KV v2: where, which keys (values are generated), and the
 * policy that reads it. The tree's secret contracts say which (secretContracts.ts).
 */
export interface ExpectedSecret {
  mount: string;
  path: string;
  keys: string[];
  policy: string;
}

/** The read policies: each grants read on the KV v2 data of its secrets' parent paths. */
export function policyDocuments(
  secrets: ExpectedSecret[],
): Map<string, string> {
  const byPolicy = new Map<string, Set<string>>();
  for (const s of secrets) {
    const parent = s.path.split('/').slice(0, -1).join('/');
    const set = byPolicy.get(s.policy) ?? new Set<string>();
    set.add(`${s.mount}/data/${parent}/*`);
    byPolicy.set(s.policy, set);
  }
  return new Map(
    [...byPolicy].map(([name, paths]) => [
      name,
      [...paths]
        .map(p => `path "${p}" {\n  capabilities = ["read"]\n}\n`)
        .join(''),
    ]),
  );
}

/** A random value for a seeded secret (never printed). */
export function randomSecret(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** Parses "10m"/"600s"/"1h" into seconds for the auth role's token_ttl. */
export function ttlSeconds(ttl: string | undefined): number {
  if (!ttl) return 600;
  const m = /^(\d+)([smh]?)$/.exec(ttl);
  if (!m) throw new Error(`bad TTL ${ttl}`);
  const n = Number(m[1]);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, '': 1 };
  return n * unit[m[2]];
}

export interface SeedInput {
  kubernetesHost: string;
  caPem: string;
  reviewerJwt: string;
  roles: DeclaredRole[];
  secrets: ExpectedSecret[];
}

/**
 * Configures the dev server as the platform expects (the same Vault API calls a Vault server takes;
 * OpenBao's own KV v2 mount at `secret/` is left unused): KV v2 at `kv`, the Kubernetes auth method at
 * `kubernetes` pointed at the lab's API server (TokenReview with the reviewer JWT), the declared
 * roles and their read policies, and every expected secret with random values: kept when present
 * with the same key names, rewritten when the declared keys changed.
 */
export async function seedVault(vault: VaultApi, input: SeedInput) {
  const mounts = await vault.call('GET', 'sys/mounts');
  if (!mounts.data?.['kv/'] && !mounts['kv/']) {
    await vault.call('POST', 'sys/mounts/kv', {
      type: 'kv',
      options: { version: '2' },
    });
  }
  const auths = await vault.call('GET', 'sys/auth');
  if (!auths.data?.['kubernetes/'] && !auths['kubernetes/']) {
    await vault.call('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
  }
  await vault.call('POST', 'auth/kubernetes/config', {
    kubernetes_host: input.kubernetesHost,
    kubernetes_ca_cert: input.caPem,
    token_reviewer_jwt: input.reviewerJwt,
    disable_local_ca_jwt: true,
  });
  for (const [name, policy] of policyDocuments(input.secrets)) {
    await vault.call('PUT', `sys/policies/acl/${name}`, { policy });
  }
  for (const r of input.roles) {
    await vault.call('POST', `auth/kubernetes/role/${r.name}`, {
      bound_service_account_names: r.boundServiceAccountNames,
      bound_service_account_namespaces: r.boundServiceAccountNamespaces,
      audience: r.audience,
      token_policies: r.policies,
      token_ttl: ttlSeconds(r.tokenTTL),
    });
  }
  await seedSecrets(vault, input.secrets);
}

/**
 * Writes every expected secret with random values, unless it was seeded with the same key names
 * (so values stay stable across `lab gitops up`, and a changed declaration reseeds).
 */
export async function seedSecrets(vault: VaultApi, secrets: ExpectedSecret[]) {
  // KV v2 needs its mount upgraded before the first write; retry briefly.
  for (const s of secrets) {
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await vault.kvSeededKeys(s.mount, s.path)) !== s.keys.join(',')) {
          await vault.kvPut(
            s.mount,
            s.path,
            Object.fromEntries(s.keys.map(k => [k, randomSecret()])),
          );
          await vault.kvMarkSeededKeys(s.mount, s.path, s.keys);
        }
        break;
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise(r => setTimeout(r, 500));
      }
    }
  }
}
