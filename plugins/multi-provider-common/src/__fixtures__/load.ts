import { createProviderRegistry } from '../registry/createProviderRegistry';
import { KubeNode, KubePod } from '../kube/types';
import { slimNode, slimPod } from '../kube/slim';
import providerDocs from './providers.json';
import nodeDocs from './nodes.json';
import podDocs from './pods.json';

/** The registry of the repository's providers/ (snapshot), for tests. */
export const registry = createProviderRegistry(providerDocs);
/** Fixture nodes, slimmed. */
export const nodes = (nodeDocs as unknown as KubeNode[]).map(slimNode);
/** Fixture pods, slimmed. */
export const pods = (podDocs as unknown as KubePod[]).map(slimPod);
/** Raw fixture pods. */
export const rawPods = podDocs as unknown as KubePod[];
