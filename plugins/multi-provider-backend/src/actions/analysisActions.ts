import { PermissionsService } from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  desiredStorageQuerySchema,
  entityRefParamsSchema,
  failureDomainRequestSchema,
} from '@cloudlab/plugin-multi-provider-common';
import { z } from 'zod';
import { GitOpsService } from '../gitops/GitOpsService';
import { PlacementService } from '../placement/PlacementService';
import { DesiredStorageService } from '../storage/DesiredStorageService';
import { StorageService } from '../storage/StorageService';
import { parseInput } from '../shared/guard';
import { registerRouteAction } from './routeAction';

/** The services the analyses read; the same instances the routes use. */
export interface AnalysisActionsOptions {
  actionsRegistry: ActionsRegistryService;
  permissions: PermissionsService;
  placement: PlacementService;
  storage: StorageService;
  desired: DesiredStorageService;
  gitops: GitOpsService;
}

const entityRefInput = z.object({
  entityRef: z
    .string()
    .min(1)
    .describe(
      'The catalog entity, as kind:namespace/name (for example component:default/pihole-hetzner); the namespace may be left out for "default", the kind may not.',
    ),
});

/** The route's path parameters for an entity reference, validated by the route's own schema. */
function entityParams({ entityRef }: z.output<typeof entityRefInput>) {
  let ref;
  try {
    ref = parseEntityRef(entityRef, { defaultNamespace: 'default' });
  } catch (e) {
    throw new InputError(`Invalid input: entityRef: ${(e as Error).message}`);
  }
  return parseInput(entityRefParamsSchema, ref, 'input');
}

/** Said of every answer: how to read its per-cluster header. */
const CLUSTER_HEADER =
  "Each cluster entry starts with `cluster` and `state` (synced, syncing, stale or error, with `staleSince`/`error` when not synced): only a `synced` cluster's figures are current.";

/**
 * Registers the suite's read-only analyses as actions (exposed as MCP tools by
 * `@backstage/plugin-mcp-actions-backend`). Each calls the service method its route calls.
 */
export function registerAnalysisActions(options: AnalysisActionsOptions) {
  const { actionsRegistry: registry, permissions } = options;
  const { placement, storage, desired, gitops } = options;

  registerRouteAction(registry, permissions, {
    name: 'get-entity-placement',
    title: 'Where an entity runs',
    route: 'GET /entity/:namespace/:kind/:name/placement',
    description: [
      "Answers where a catalog entity's pods run right now: per cluster, provider → region → zone → node → pods (name, namespace, phase, owner), pods not yet scheduled, and warnings where the placement intent (nodeSelector, affinity, topology spread) and reality differ.",
      'Use it for "where does X run", "is X spread across providers/zones", "why is X not running". Answered from watch caches, so it is cheap and can be called again to see a change.',
      CLUSTER_HEADER,
      '`podCount` counts the pods matched to the entity (by its backstage.io/kubernetes-id or label selector annotations); 0 with a synced cluster means nothing of it runs there.',
    ].join(' '),
    input: entityRefInput,
    answer: (input, credentials) =>
      placement.entityPlacement(entityParams(input), credentials),
  });

  registerRouteAction(registry, permissions, {
    name: 'simulate-failure-domain',
    title: 'What goes down if a provider, region or zone goes down',
    route: 'POST /platform/failure-domain',
    description: [
      'Simulates losing one failure domain and answers, per service in the cluster, whether it survives, is degraded or goes down, with replicas before and after, how many lost replicas could be placed on surviving nodes, and the reasons.',
      'Use it for "what happens if Hetzner (or region fsn1, or zone fsn1-dc14) goes down". It only computes; nothing in the cluster changes.',
      'Input: `level` is provider, region or zone; `name` is that provider id (hetzner, scaleway), region or zone label value; `cluster` limits the answer to one configured cluster (all when absent).',
      CLUSTER_HEADER,
      '`lostNodes` are the nodes in the domain; `summary` counts the services per verdict.',
    ].join(' '),
    input: failureDomainRequestSchema,
    answer: async input => placement.failureDomain(input),
  });

  registerRouteAction(registry, permissions, {
    name: 'get-entity-storage',
    title: "An entity's storage and its findings",
    route: 'GET /entity/:namespace/:kind/:name/storage',
    description: [
      "Answers what backs a catalog entity's storage in the live cluster: each PersistentVolumeClaim with its StorageClass, CSI driver, the provider and zone of its volume, size, access and binding modes, phase and the pods mounting it, plus findings — mistakes that break in a mixed-provider cluster (no storageClassName, a default class, a volume in one provider with its pod pinned to another, a size below the provider's minimum).",
      'Use it for "what storage does X use", "why is X\'s claim Pending", "is X\'s storage correct". For claims not merged yet, use get-desired-storage.',
      CLUSTER_HEADER,
      'A finding has an `id` naming the rule (for example pvc-without-class), a `severity` (error, warning, info), the `objects` it is about, a `message` and what to change.',
    ].join(' '),
    input: entityRefInput,
    answer: (input, credentials) =>
      storage.entityStorage(entityParams(input), credentials),
  });

  registerRouteAction(registry, permissions, {
    name: 'get-desired-storage',
    title: 'Storage the GitOps tree will create',
    route: 'GET /platform/storage/desired',
    description: [
      'Renders the GitOps tree Flux reconciles (gitops/clusters/<cluster>) and answers, per Flux Kustomization, the claims it will create with their class, provider and the same storage findings as the live view — before anything is applied.',
      'Use it to check storage of a change or of the whole desired state, or to compare with get-entity-storage (live).',
      "Input: `cluster` is a directory name under gitops/clusters/ (when absent, the configured default or the tree's only cluster).",
      'A Kustomization that could not be rendered carries an `error` instead of claims; `findings` at the top level are about the tree as a whole (for example a default StorageClass).',
    ].join(' '),
    input: desiredStorageQuerySchema,
    answer: input => desired.desiredStorage(input.cluster),
  });

  registerRouteAction(registry, permissions, {
    name: 'get-entity-gitops',
    title: "An entity's Flux status and dependsOn chain",
    route: 'GET /entity/:namespace/:kind/:name/gitops',
    description: [
      'Answers whether a catalog entity is reconciled: its Flux Kustomizations and HelmReleases per cluster with Ready state, reason and message, applied and attempted revisions, suspension and inventory (each workload with where its pods run), the objects they depend on (dependsOn and the Kustomization that applies them) with their states, and one roll-up verdict.',
      'Use it for "is X deployed", "why is X not Ready", "what is X waiting for". It reads status only; it never reconciles or suspends.',
      CLUSTER_HEADER,
      "`rollup.verdict` (healthy, progressing, suspended, degraded, failing, unknown) is the overall answer, `rollup.summary` says it in words and `rollup.object`/`reason`/`message` name the Flux object and reason behind it; per cluster, `objects` are the entity's own, `related` the other objects of the chain and `links` its edges with the state of their target.",
    ].join(' '),
    input: entityRefInput,
    answer: (input, credentials) =>
      gitops.entityGitOps(entityParams(input), credentials),
  });
}
