import * as k8s from '@kubernetes/client-node';
import { KubeRest } from './rest';

/** Typed API clients for the lab's admin kubeconfig. */
export interface LabClients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  rest: KubeRest;
  apps: k8s.AppsV1Api;
}

/** Builds clients from a kubeconfig file. */
export function labClients(kubeconfigFile: string): LabClients {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    rest: new KubeRest(kc),
    apps: kc.makeApiClient(k8s.AppsV1Api),
  };
}

/** The HTTP status of a client-node error, if it is an API error. */
export function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The API server's message for an error (the Status body's `message`), else the error text. */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      return body;
    }
  } else if (body && typeof body === 'object' && 'message' in body) {
    return String((body as { message: unknown }).message);
  }
  return err instanceof Error ? err.message : String(err);
}
