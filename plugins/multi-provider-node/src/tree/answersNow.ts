import type { YamlDocumentCache } from './YamlDocumentCache';

/**
 * Answers a {@link YamlDocumentCache} can give at once from what its pass already saw
 * (`undefined`: it has to look), by cache. Internal to the package (not exported from its index):
 * the reader checks a Kustomization's earlier reads with it.
 */
export const answersNow = new WeakMap<
  YamlDocumentCache,
  (op: 'exists' | 'isDirectory' | 'read', rel: string) => unknown
>();
