import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { KubeObject } from '@cloudlab/plugin-multi-provider-node';

/** A raw API response. */
export interface RestResponse {
  status: number;
  body: string;
}

/** Where a kind is served, from discovery. */
export interface ResourceInfo {
  name: string;
  namespaced: boolean;
}

/**
 * A minimal REST client over the kubeconfig's credentials. The lab sends objects exactly as
 * rendered: client-node's typed serializer would drop fields it does not model (for example the
 * `x-kubernetes-*` extensions of CRD schemas, or fields newer than the client), which real
 * server-side apply must see.
 */
export class KubeRest {
  private readonly discovery = new Map<string, Map<string, ResourceInfo>>();

  constructor(private readonly kc: k8s.KubeConfig) {}

  /** Sends one request; resolves with status and body for every HTTP status. */
  async request(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<RestResponse> {
    const server = new URL(this.kc.getCurrentCluster()!.server);
    const opts: https.RequestOptions = {
      method,
      hostname: server.hostname,
      port: server.port,
      path,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined
          ? { 'Content-Type': contentType ?? 'application/json' }
          : {}),
      },
    };
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = https.request(opts, res => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', c => (data += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: data }),
        );
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** Finds the resource serving `apiVersion`/`kind`, or undefined when the API server has none. */
  async resource(
    apiVersion: string,
    kind: string,
  ): Promise<ResourceInfo | undefined> {
    let kinds = this.discovery.get(apiVersion);
    if (!kinds) {
      const path = apiVersion.includes('/')
        ? `/apis/${apiVersion}`
        : `/api/${apiVersion}`;
      const res = await this.request('GET', path);
      if (res.status === 404) return undefined;
      if (res.status !== 200)
        throw new Error(`discovery ${path}: HTTP ${res.status} ${res.body}`);
      const list = JSON.parse(res.body) as {
        resources: Array<{ name: string; kind: string; namespaced: boolean }>;
      };
      kinds = new Map(
        list.resources
          .filter(r => !r.name.includes('/'))
          .map(r => [r.kind, { name: r.name, namespaced: r.namespaced }]),
      );
      this.discovery.set(apiVersion, kinds);
    }
    return kinds.get(kind);
  }

  /** Forgets discovery (after CRDs were installed). */
  resetDiscovery() {
    this.discovery.clear();
  }

  /** The URL path of an object (without name when `withName` is false). */
  async objectPath(
    o: KubeObject,
    withName = true,
  ): Promise<string | undefined> {
    const r = await this.resource(o.apiVersion, o.kind);
    if (!r) return undefined;
    const base = o.apiVersion.includes('/')
      ? `/apis/${o.apiVersion}`
      : `/api/${o.apiVersion}`;
    const ns = r.namespaced
      ? `/namespaces/${o.metadata.namespace ?? 'default'}`
      : '';
    return `${base}${ns}/${r.name}${
      withName ? `/${encodeURIComponent(o.metadata.name)}` : ''
    }`;
  }
}

/** The Status message of an error response, else the raw body. */
export function statusMessage(res: RestResponse): string {
  try {
    const parsed = JSON.parse(res.body) as { message?: string };
    return parsed.message ?? res.body;
  } catch {
    return res.body;
  }
}
