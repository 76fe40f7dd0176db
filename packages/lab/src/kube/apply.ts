import { KubeObject } from '@cloudlab/plugin-multi-provider-node';
import { KubeRest, statusMessage } from './rest';

/** The field manager of everything the lab applies. */
export const FIELD_MANAGER = 'cloudlab-lab';

/** Result of applying a batch of objects. */
export interface ApplyReport {
  applied: number;
  skippedUnknownKind: string[];
  failed: Array<{ object: string; message: string }>;
}

/** Kinds applied before everything else, as Flux's kustomize-controller does. */
const FIRST_KINDS = ['CustomResourceDefinition', 'Namespace'];

/** Sorts objects so CRDs and Namespaces come first; keeps the rest in rendered order. */
export function applyOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject) => {
    const i = FIRST_KINDS.indexOf(o.kind);
    return i === -1 ? FIRST_KINDS.length : i;
  };
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(x => x.o);
}

/** `Kind/namespace/name` for messages. */
export function describe(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${
    o.metadata.name
  }`;
}

/**
 * Server-side applies objects in order, exactly as rendered. Objects whose kind the API server does
 * not serve (no CRD installed) are skipped and listed; other failures (admission, validation) are
 * collected, not thrown, so one bad object does not hide the rest.
 */
export async function serverSideApply(
  rest: KubeRest,
  objects: KubeObject[],
  options: { dryRun?: boolean } = {},
): Promise<ApplyReport> {
  const report: ApplyReport = {
    applied: 0,
    skippedUnknownKind: [],
    failed: [],
  };
  for (const o of objects) {
    const path = await rest.objectPath(o);
    if (!path) {
      report.skippedUnknownKind.push(`${o.apiVersion} ${describe(o)}`);
      continue;
    }
    const query = `?fieldManager=${FIELD_MANAGER}&force=true${
      options.dryRun ? '&dryRun=All' : ''
    }`;
    const res = await rest.request(
      'PATCH',
      path + query,
      JSON.stringify(o),
      'application/apply-patch+yaml',
    );
    if (res.status >= 200 && res.status < 300) report.applied++;
    else
      report.failed.push({ object: describe(o), message: statusMessage(res) });
  }
  return report;
}

/** Creates an object unless it exists (status such as node capacity is only taken on create). */
export async function createIfMissing(
  rest: KubeRest,
  o: KubeObject,
): Promise<'created' | 'exists'> {
  const path = await rest.objectPath(o, false);
  if (!path) throw new Error(`${o.apiVersion} ${o.kind} is not served`);
  const res = await rest.request(
    'POST',
    `${path}?fieldManager=${FIELD_MANAGER}`,
    JSON.stringify(o),
  );
  if (res.status === 201 || res.status === 200) return 'created';
  if (res.status === 409) return 'exists';
  throw new Error(
    `create ${describe(o)}: HTTP ${res.status} ${statusMessage(res)}`,
  );
}
