import { ProviderDoc, providerDocSchema } from './schema';

/**
 * A provider, flattened from its registry document.
 *
 * @public
 */
export interface ProviderDefinition {
  name: string;
  displayName: string;
  detection: ProviderDoc['spec']['detection'];
  regions: ProviderDoc['spec']['regions'];
  storage?: ProviderDoc['spec']['storage'];
  /** The dated list prices, when the registry has them. */
  prices?: ProviderDoc['spec']['prices'];
}

/**
 * The parsed provider registry: the one definition of providers every analysis takes as data.
 * A plain object so it can cross the wire and be built in tests.
 *
 * @public
 */
export interface ProviderRegistry {
  providers: ProviderDefinition[];
}

/**
 * Thrown when registry documents do not validate; names the document and field.
 *
 * @public
 */
export class ProviderRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderRegistryError';
  }
}

/**
 * Validates registry documents (already parsed from YAML) and builds the registry.
 * Documents of other kinds are ignored so a directory may hold unrelated YAML.
 *
 * @public
 */
export function createProviderRegistry(docs: unknown[]): ProviderRegistry {
  const providers: ProviderDefinition[] = [];
  docs.forEach((doc, index) => {
    if (!doc || typeof doc !== 'object') return;
    if ((doc as { kind?: unknown }).kind !== 'Provider') return;
    const parsed = providerDocSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ProviderRegistryError(
        `Provider document ${index} is invalid at ${issue.path.join('.')}: ${
          issue.message
        }`,
      );
    }
    const { metadata, spec } = parsed.data;
    if (providers.some(p => p.name === metadata.name)) {
      throw new ProviderRegistryError(
        `Provider ${metadata.name} is defined twice`,
      );
    }
    providers.push({
      name: metadata.name,
      displayName: spec.displayName ?? metadata.name,
      detection: spec.detection,
      regions: spec.regions,
      storage: spec.storage,
      ...(spec.prices ? { prices: spec.prices } : {}),
    });
  });
  return { providers };
}

/**
 * The provider of that name, if the registry knows it.
 *
 * @public
 */
export function findProvider(
  registry: ProviderRegistry,
  name: string | undefined,
): ProviderDefinition | undefined {
  return name ? registry.providers.find(p => p.name === name) : undefined;
}

/**
 * Whether a provider's region is in the EU: `undefined` when the registry does not know the
 * provider or the region (callers show that as "unknown", never as EU).
 *
 * @public
 */
export function isEuRegion(
  registry: ProviderRegistry,
  provider: string | undefined,
  region: string | undefined,
): boolean | undefined {
  const def = findProvider(registry, provider);
  return def?.regions.find(r => r.name === region)?.eu;
}
