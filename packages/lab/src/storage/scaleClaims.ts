import { findProvider, Provider } from '../registry/labProviders';
import { NodeSpec } from '../inventory/nodes';
import { persistentVolumeObject, PoolVolume, topologyDomains } from './pvPool';

/** One claim of `lab scale --claims N` and the volume it is pre-bound to. */
export interface ScaleClaim {
  /** Claim name; the volume is `lab-scale-<name>`. */
  name: string;
  /** The bench Deployment whose entity the claim belongs to (it carries that Deployment's labels). */
  deployment: string;
  volume: PoolVolume;
}

/**
 * Plans `count` claims spread evenly over the bench Deployments (claim i belongs to Deployment
 * ⌊i·D/count⌋, so each entity holds count/D of them) and, round-robin, over every provider's
 * first storage class and CSI topology domain that has scale nodes: the storage views then show
 * every provider and zone. The size is the provider's minimum raised to a whole GiB of at least
 * 10Gi, so no size finding fires.
 */
export function planScaleClaims(
  count: number,
  deployments: string[],
  nodes: NodeSpec[],
  providers: Provider[],
): ScaleClaim[] {
  if (count === 0) return [];
  if (deployments.length === 0)
    throw new Error(
      '--claims needs --pods > 0: the claims belong to the bench Deployments (their entities)',
    );
  const slots: Array<Omit<PoolVolume, 'name'>> = [];
  for (const [providerName, values] of topologyDomains(nodes, providers)) {
    const storage = findProvider(providers, providerName)!.storage;
    const cls = storage.classes[0];
    if (!cls) continue;
    for (const value of values) {
      slots.push({
        provider: providerName,
        storageClassName: cls.name,
        driver: storage.csiDriver,
        topologyKey: storage.topologyKey,
        topologyValue: value,
        size: '10Gi',
        reclaimPolicy: cls.reclaimPolicy,
      });
    }
  }
  if (slots.length === 0)
    throw new Error(
      '--claims needs --nodes > 0: volumes are placed in the scale nodes’ topology domains',
    );
  const perDeployment = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const deployment =
      deployments[Math.floor((i * deployments.length) / count)];
    const index = perDeployment.get(deployment) ?? 0;
    perDeployment.set(deployment, index + 1);
    const name = `${deployment}-data-${index}`;
    return {
      name,
      deployment,
      volume: { ...slots[i % slots.length], name: `lab-scale-${name}` },
    };
  });
}

/**
 * The claim and its pre-bound volume: the claim names the volume (`spec.volumeName`), the volume
 * names the claim (`claimRef`), so the PV controller binds both without a provisioner, whatever
 * the class's binding mode. The volume's node affinity on the CSI topology key gives the views
 * its provider and zone.
 */
export function scaleClaimObjects(
  claim: ScaleClaim,
  namespace: string,
  labels: Record<string, string>,
) {
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claim.name, namespace, labels },
    spec: {
      storageClassName: claim.volume.storageClassName,
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: claim.volume.size } },
      volumeName: claim.volume.name,
      volumeMode: 'Filesystem',
    },
  };
  const pv = persistentVolumeObject(claim.volume, {
    labels,
    claimRef: { namespace, name: claim.name },
  });
  return { pvc, pv };
}
