import type {
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { TreeSource } from '@cloudlab/plugin-multi-provider-node';
import { fluxCatalogOptions } from '../config';
import { readSnapshot, snapshotCaches } from '../provider/readSnapshot';
import { openPreviewTree } from './openPreviewTree';
import { CatalogPreview, catalogPreview } from './previewReport';

/** Where a tree keeps its Flux repository when not told: at the root, or in `gitops/`. */
async function guessFluxPath(source: TreeSource): Promise<string> {
  for (const candidate of ['.', 'gitops']) {
    const stat = await source.stat(`${candidate}/clusters`);
    if (stat?.kind === 'directory') return candidate;
  }
  return '.';
}

/** The arguments of `catalog preview`, parsed. */
export interface CatalogPreviewArgs {
  location: string;
  /** Tree-relative folder holding `clusters/`; guessed when absent. */
  fluxPath?: string;
  /** Tree-relative hand-written catalog, for the override rule. */
  catalogPath?: string;
  /** Provider registry folder (absolute). */
  providersDir: string;
}

/**
 * Reads a tree with the catalog module's own reader (the snapshot the entity provider emits)
 * and returns the preview. Whatever was fetched is removed before it returns.
 */
export async function runCatalogPreview(
  args: CatalogPreviewArgs,
  env: {
    config: Config;
    urlReader: () => UrlReaderService;
    logger: LoggerService;
    cwd: string;
  },
): Promise<CatalogPreview> {
  const tree = await openPreviewTree({ location: args.location, ...env });
  try {
    const { source, origin } = tree.snapshot;
    const fluxPath = args.fluxPath ?? (await guessFluxPath(source));
    const options = fluxCatalogOptions({
      fluxPath,
      catalogPath: args.catalogPath,
      providers: { type: 'directory', directory: args.providersDir },
    });
    const snapshot = await readSnapshot(
      snapshotCaches(options, source),
      options,
    );
    return catalogPreview(snapshot, origin, fluxPath);
  } finally {
    await tree.close();
  }
}
