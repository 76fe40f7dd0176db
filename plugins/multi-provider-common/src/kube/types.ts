/**
 * The few shapes of Kubernetes objects the analyses read. Structural on purpose: objects from
 * `@kubernetes/client-node`, plain JSON and fixtures all fit, and -common stays dependency-free.
 */

/**
 * A status condition as the API server returns it (pods, Flux and VSO objects): every field
 * optional, since a reader must cope with whatever a controller wrote.
 *
 * @public
 */
export interface KubeCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/**
 * A node selector requirement (`matchExpressions` / `matchFields` entry).
 *
 * @public
 */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

/**
 * A node selector term: all of its requirements must hold.
 *
 * @public
 */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/**
 * A label selector (`matchLabels` and `matchExpressions`, ANDed).
 *
 * @public
 */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
    values?: string[];
  }>;
}

/**
 * A required pod (anti-)affinity term.
 *
 * @public
 */
export interface PodAffinityTerm {
  topologyKey?: string;
  labelSelector?: LabelSelector;
  namespaces?: string[];
}

/**
 * A taint on a node.
 *
 * @public
 */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
}

/**
 * A toleration on a pod.
 *
 * @public
 */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: string;
}

/**
 * The parts of a Pod manifest slimPod reads.
 *
 * @public
 */
export interface KubePod {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{
      kind?: string;
      name?: string;
      controller?: boolean;
    }>;
    deletionTimestamp?: unknown;
  };
  spec?: {
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: {
          nodeSelectorTerms?: NodeSelectorTerm[];
        };
        preferredDuringSchedulingIgnoredDuringExecution?: Array<{
          weight?: number;
          preference?: NodeSelectorTerm;
        }>;
      };
      podAntiAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
      };
    };
    topologySpreadConstraints?: Array<{
      topologyKey?: string;
      maxSkew?: number;
      whenUnsatisfiable?: string;
      labelSelector?: LabelSelector;
      nodeTaintsPolicy?: string;
    }>;
    tolerations?: Array<Toleration & { tolerationSeconds?: number }>;
    containers?: Array<{
      resources?: { requests?: Record<string, string | number> };
    }>;
    initContainers?: Array<{
      resources?: { requests?: Record<string, string | number> };
    }>;
    volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }>;
  };
  status?: {
    phase?: string;
    conditions?: KubeCondition[];
  };
}

/**
 * The parts of a Node manifest slimNode reads.
 *
 * @public
 */
export interface KubeNode {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { providerID?: string; unschedulable?: boolean; taints?: Taint[] };
  status?: {
    capacity?: Record<string, string | number>;
    allocatable?: Record<string, string | number>;
    conditions?: Array<{ type?: string; status?: string }>;
  };
}
