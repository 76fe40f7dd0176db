import { KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { KUBERNETES_NAMESPACE_ANNOTATION } from '@cloudlab/plugin-multi-provider-backend/internal';
import * as k8s from '@kubernetes/client-node';
import {
  entityGitOpsResponseSchema,
  entityPlacementResponseSchema,
  entitySecretsResponseSchema,
  entityStorageResponseSchema,
} from '@cloudlab/plugin-multi-provider-common';
import YAML from 'yaml';
import { z } from 'zod';
import { PageRequest } from './boundedClient';
import { EntityPage } from './pageLoads';

/** An entity the load test opens, and where its pods are. */
export interface LoadEntity {
  name: string;
  namespace: string;
  labelSelector: string;
  /** Flux-reconciled: the page also has the GitOps tab and the Secrets card. */
  flux: boolean;
  /** Generated for the load test (written to the catalog); otherwise already in the catalog. */
  generated: boolean;
}

/**
 * The entities of every run, small to large: the Pi-hole pinned to Hetzner (one pod, a claim,
 * Flux objects: all four routes), one `lab scale` Deployment (1,000 pods with the default split)
 * and every `lab scale` pod.
 */
export const LOAD_ENTITIES: LoadEntity[] = [
  {
    name: 'pihole-hetzner',
    namespace: 'pihole-hetzner',
    labelSelector: 'app.kubernetes.io/name=pihole',
    flux: true,
    generated: false,
  },
  {
    name: 'load-scale-bench-0',
    namespace: 'lab-scale',
    labelSelector: 'lab-scale/deployment=bench-0',
    flux: false,
    generated: true,
  },
  {
    name: 'load-scale-all',
    namespace: 'lab-scale',
    labelSelector: 'app=lab-scale',
    flux: false,
    generated: true,
  },
];

/** Catalog YAML of the generated entities (annotated as the kubernetes plugin expects). */
export function entitiesYaml(entities: LoadEntity[]): string {
  return entities
    .filter(e => e.generated)
    .map(e =>
      YAML.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: e.name,
          annotations: {
            [KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]: e.labelSelector,
            [KUBERNETES_NAMESPACE_ANNOTATION]: e.namespace,
          },
        },
        spec: {
          type: 'service',
          lifecycle: 'experimental',
          owner: 'group:default/platform-team',
        },
      }),
    )
    .join('---\n');
}

/** What the lab holds for an entity, read with the admin credentials before the run. */
export interface EntityTruth {
  pods: number;
  claims: number;
}

/** Counts the entity's pods and the claims its page must list, straight from the API server. */
export async function entityTruth(
  core: k8s.CoreV1Api,
  entity: LoadEntity,
): Promise<EntityTruth> {
  const pods = (
    await core.listNamespacedPod({
      namespace: entity.namespace,
      labelSelector: entity.labelSelector,
    })
  ).items;
  const claims = new Set<string>();
  for (const pod of pods) {
    for (const v of pod.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim)
        claims.add(v.persistentVolumeClaim.claimName);
    }
  }
  const labelled = (
    await core.listNamespacedPersistentVolumeClaim({
      namespace: entity.namespace,
      labelSelector: entity.labelSelector,
    })
  ).items;
  for (const c of labelled) claims.add(c.metadata!.name!);
  return { pods: pods.length, claims: claims.size };
}

const clusterList = z.object({
  entityRef: z.string(),
  clusters: z.array(z.object({ state: z.string() }).passthrough()),
});

/**
 * The entity page's requests (Placement and Storage tabs; GitOps tab and Secrets card when the
 * entity is Flux-reconciled), each judged against the lab's truth: the entity named, every
 * cluster synced, the pod count and the claim count exact. `strict` also validates every answer
 * with the API's zod schema (the frontend's own check).
 */
export function entityPage(
  entity: LoadEntity,
  truth: EntityTruth,
  strict: boolean,
): EntityPage {
  const ref = `component:default/${entity.name}`;
  const path = (route: string) =>
    `/api/multi-provider/entity/default/component/${entity.name}/${route}`;
  const judge =
    (schema: z.ZodTypeAny, extra?: (body: any) => string | undefined) =>
    (body: unknown): string | undefined => {
      if (strict) {
        const parsed = schema.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return `schema: ${issue.path.join('.')}: ${issue.message}`;
        }
      }
      const head = clusterList.safeParse(body);
      if (!head.success) return 'no entityRef/clusters';
      if (head.data.entityRef !== ref) {
        return `answer for ${head.data.entityRef}, not ${ref}`;
      }
      const unsynced = head.data.clusters.find(c => c.state !== 'synced');
      if (unsynced) return `cluster state ${unsynced.state}`;
      return extra?.(body);
    };
  const requests: PageRequest[] = [
    {
      route: 'placement',
      path: path('placement'),
      check: judge(entityPlacementResponseSchema, body => {
        const pods = body.clusters.reduce(
          (n: number, c: { podCount: number }) => n + c.podCount,
          0,
        );
        return pods === truth.pods
          ? undefined
          : `${pods} pods, the lab has ${truth.pods}`;
      }),
    },
    {
      route: 'storage',
      path: path('storage'),
      check: judge(entityStorageResponseSchema, body => {
        const claims = body.clusters.reduce(
          (n: number, c: { claims: unknown[] }) => n + c.claims.length,
          0,
        );
        return claims === truth.claims
          ? undefined
          : `${claims} claims, the lab has ${truth.claims}`;
      }),
    },
  ];
  if (entity.flux) {
    requests.push(
      {
        route: 'gitops',
        path: path('gitops'),
        check: judge(entityGitOpsResponseSchema),
      },
      {
        route: 'secrets',
        path: path('secrets'),
        check: judge(entitySecretsResponseSchema),
      },
    );
  }
  return { entity: entity.name, requests };
}
