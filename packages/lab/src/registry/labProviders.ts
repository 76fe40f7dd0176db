import {
  findProvider as findInRegistry,
  ProviderDefinition,
  ProviderStorage,
} from '@cloudlab/plugin-multi-provider-common';
import {
  loadProviderEntries,
  ProviderEntry,
} from '@cloudlab/plugin-multi-provider-node';

/**
 * A provider as the lab simulates it: the registry's definition (loaded by THE registry loader,
 * `loadProviderEntries` of @cloudlab/plugin-multi-provider-node) plus what the lab cannot do
 * without: block storage facts (simulated volumes) and instance types (simulated nodes).
 */
export interface Provider extends ProviderDefinition {
  storage: Omit<ProviderStorage, 'minVolumeSize'> & { minVolumeSize: string };
  instanceTypes: Array<{ name: string; cpu: string; memory: string }>;
}

/** The label every Cloudlab node carries to name its provider (DESIGN.md, provider taxonomy). */
export const PROVIDER_LABEL = 'cfke.io/provider';

/**
 * Turns a registry entry into the provider the lab simulates; throws naming the file, the
 * provider and the field when the registry leaves out something the lab needs.
 */
export function labProvider({
  file,
  definition,
  document,
}: ProviderEntry): Provider {
  const missing = (field: string) =>
    new Error(
      `${file}: provider ${definition.name}: ${field} is required by the lab (it simulates the provider's nodes and volumes)`,
    );
  const { instanceTypes } = document.spec;
  if (!definition.storage) throw missing('spec.storage');
  const { minVolumeSize } = definition.storage;
  if (!minVolumeSize) throw missing('spec.storage.minVolumeSize');
  if (definition.regions.length === 0) throw missing('spec.regions');
  if (instanceTypes.length === 0) throw missing('spec.instanceTypes');
  return {
    ...definition,
    storage: { ...definition.storage, minVolumeSize },
    instanceTypes,
  };
}

/** Loads the registry directory (strictly, as every reader does) as the lab's providers. */
export async function loadProviders(dir: string): Promise<Provider[]> {
  return (await loadProviderEntries(dir)).map(labProvider);
}

/** Looks a provider up by name. */
export function findProvider(
  providers: Provider[],
  name: string,
): Provider | undefined {
  return findInRegistry({ providers }, name) as Provider | undefined;
}
