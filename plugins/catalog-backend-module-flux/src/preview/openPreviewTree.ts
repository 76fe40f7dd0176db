import type {
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  LocalTreeProvider,
  TreeSnapshot,
  UrlTreeProvider,
} from '@cloudlab/plugin-multi-provider-node';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A tree opened for one preview; `close` removes whatever was fetched. */
export interface PreviewTree {
  snapshot: TreeSnapshot;
  close(): Promise<void>;
}

/** How a location is read: a folder, a URL of a configured integration, or a plain Git URL. */
export type PreviewLocationKind = 'folder' | 'integration' | 'git';

/** Which reader a location needs: integration hosts come from `integrations` in app-config. */
export function previewLocationKind(
  location: string,
  config: Config,
): PreviewLocationKind {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^git@/.test(location)) {
    return 'folder';
  }
  if (/^https?:\/\//i.test(location)) {
    const integration = ScmIntegrations.fromConfig(config).byUrl(location);
    if (integration) return 'integration';
  }
  return 'git';
}

/**
 * Opens `location` for a preview, with the providers the portal uses: a folder as a local tree,
 * an integration URL through `UrlReaderService.readTree`, anything else Git understands
 * (`https://…/repo.git`, `file:///srv/repo.git`, `git@host:repo`) as a shallow clone of the
 * default branch into a temporary folder. Relative folders are resolved against `cwd`.
 */
export async function openPreviewTree(options: {
  location: string;
  config: Config;
  urlReader: () => UrlReaderService;
  logger: LoggerService;
  cwd: string;
}): Promise<PreviewTree> {
  const { location, config, logger } = options;
  const kind = previewLocationKind(location, config);
  if (kind === 'folder') {
    const dir = path.resolve(options.cwd, location);
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`${location}: no such folder`);
    }
    return {
      snapshot: await new LocalTreeProvider(dir).current(),
      close: async () => {},
    };
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-preview-'));
  const removeWorkDir = async () =>
    fs.rmSync(workDir, { recursive: true, force: true });
  try {
    if (kind === 'integration') {
      const tree = new UrlTreeProvider({
        target: location,
        urlReader: options.urlReader(),
        logger,
        workDir,
        refresh: { minutes: 1 },
      });
      const snapshot = await tree.current();
      return {
        snapshot,
        close: async () => {
          await tree.stop();
          await removeWorkDir();
        },
      };
    }
    const dir = path.join(workDir, 'clone');
    try {
      await run('git', ['clone', '--quiet', '--depth', '1', location, dir]);
    } catch (e) {
      throw new Error(
        `${location}: git clone failed: ${
          (e as { stderr?: string }).stderr?.trim() || (e as Error).message
        }`,
      );
    }
    const { stdout } = await run('git', ['-C', dir, 'rev-parse', 'HEAD']);
    const local = await new LocalTreeProvider(dir).current();
    return {
      snapshot: {
        source: local.source,
        origin: { kind: 'url', location, revision: stdout.trim() },
      },
      close: removeWorkDir,
    };
  } catch (e) {
    await removeWorkDir();
    throw e;
  }
}
