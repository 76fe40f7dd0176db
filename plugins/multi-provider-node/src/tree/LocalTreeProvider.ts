import type { GitopsTreeProvider, TreeSnapshot } from './GitopsTreeProvider';
import { LocalTreeSource } from './TreeSource';

/**
 * The revision a local tree is read at: whatever is in the folder now.
 *
 * @public
 */
export const WORKING_COPY_REVISION = 'working-copy';

/**
 * A folder on disk, for development: one snapshot for the whole run. Edits show up because the
 * readers re-read a file whose size or mtime changed, not through `subscribe`.
 *
 * @public
 */
export class LocalTreeProvider implements GitopsTreeProvider {
  readonly description: string;
  private readonly snapshot: TreeSnapshot;

  constructor(root: string) {
    const source = new LocalTreeSource(root);
    this.description = `local folder ${source.localRoot}`;
    this.snapshot = {
      source,
      origin: {
        kind: 'local',
        location: source.localRoot,
        revision: WORKING_COPY_REVISION,
      },
    };
  }

  async current(): Promise<TreeSnapshot> {
    return this.snapshot;
  }

  subscribe(): () => void {
    return () => {};
  }
}
