import * as k8s from '@kubernetes/client-node';
import { KubeObject } from '../gitops/fluxKustomizations';
import { apiMessage, statusCode } from './client';

/** The field manager of everything the lab applies. */
export const FIELD_MANAGER = 'cloudlab-lab';

/** Result of applying a batch of objects. */
export interface ApplyReport {
  applied: number;
  skippedUnknownKind: string[];
  failed: Array<{ object: string; message: string }>;
}

/** `Kind/namespace/name` for messages. */
export function describe(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${
    o.metadata.name
  }`;
}

function isUnknownKind(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /Unrecognized API version and kind|unable to recognize|could not find the requested resource/i.test(
    msg,
  );
}

/**
 * Server-side applies objects in order. Objects whose kind the API server does not know (no CRD
 * installed) are skipped and listed; other failures are collected, not thrown, so one bad object
 * does not hide the rest.
 */
export async function serverSideApply(
  api: k8s.KubernetesObjectApi,
  objects: KubeObject[],
): Promise<ApplyReport> {
  const report: ApplyReport = {
    applied: 0,
    skippedUnknownKind: [],
    failed: [],
  };
  for (const o of objects) {
    try {
      await api.patch(
        o as k8s.KubernetesObject,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        k8s.PatchStrategy.ServerSideApply,
      );
      report.applied++;
    } catch (err) {
      if (isUnknownKind(err) || statusCode(err) === 404) {
        report.skippedUnknownKind.push(`${o.apiVersion} ${describe(o)}`);
      } else {
        report.failed.push({ object: describe(o), message: apiMessage(err) });
      }
    }
  }
  return report;
}

/** Creates an object unless it exists (status such as node capacity is only taken on create). */
export async function createIfMissing(
  api: k8s.KubernetesObjectApi,
  o: KubeObject,
): Promise<'created' | 'exists'> {
  try {
    await api.create(
      o as k8s.KubernetesObject,
      undefined,
      undefined,
      FIELD_MANAGER,
    );
    return 'created';
  } catch (err) {
    if (statusCode(err) === 409) return 'exists';
    throw new Error(`create ${describe(o)}: ${apiMessage(err)}`);
  }
}
