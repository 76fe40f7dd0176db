import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import path from 'node:path';
import { formatCatalogPreview } from './previewReport';
import { runCatalogPreview } from './runCatalogPreview';

const USAGE = `Usage: yarn cloudlab catalog preview <folder | git URL> [options]

Prints, for a GitOps tree, each cluster's Flux objects the catalog module follows, the entities
it would emit (kind, name, namespace, selector, source revision) and every error with file and
reason. Exit code 1 when any error was found.

  <folder>           a folder on disk (relative to where you run the command)
  <git URL>          a tree URL of an integration in app-config (read as the portal reads it),
                     or any URL git clones (https://…/repo.git, file:///…/repo.git)
  --json             machine output (shape: catalogPreviewSchema in previewReport.ts)
  --flux-path <p>    folder of the tree holding clusters/ (default: . or gitops, whichever has it)
  --catalog-path <p> folder of hand-written entities in the tree (default: none)
  --providers <dir>  provider registry folder (default: this repository's providers/)
`;

// Run from source in this repository, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = path.resolve(__dirname, '../../../..');

interface Parsed {
  json: boolean;
  location?: string;
  fluxPath?: string;
  catalogPath?: string;
  providers?: string;
}

function parseArgs(argv: string[]): Parsed {
  const [group, command, ...rest] = argv;
  if (group !== 'catalog' || command !== 'preview') {
    throw new Error(`unknown command ${[group, command].join(' ').trim()}`);
  }
  const parsed: Parsed = { json: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--json') parsed.json = true;
    else if (arg === '--flux-path') parsed.fluxPath = value();
    else if (arg === '--catalog-path') parsed.catalogPath = value();
    else if (arg === '--providers') parsed.providers = value();
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (parsed.location === undefined) parsed.location = arg;
    else throw new Error(`one location only (got ${parsed.location}, ${arg})`);
  }
  if (!parsed.location) throw new Error('a folder or git URL is required');
  return parsed;
}

/** A logger that writes to stderr, so `--json` output stays clean on stdout. */
const logger = {
  error: (m: string) => process.stderr.write(`${m}\n`),
  warn: (m: string) => process.stderr.write(`${m}\n`),
  info: () => {},
  debug: () => {},
  child: () => logger,
} as any;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // Yarn runs the script in the package; the user's folder is where they typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  // app-config.yaml and app-config.local.yaml of this repository: the integrations (hosts and
  // tokens) the portal itself would read with.
  const { appConfigs } = await loadConfig({
    configRoot: REPO_ROOT,
    configTargets: [],
  });
  const config = ConfigReader.fromConfigs(appConfigs);
  const preview = await runCatalogPreview(
    {
      location: parsed.location!,
      fluxPath: parsed.fluxPath,
      catalogPath: parsed.catalogPath,
      providersDir: parsed.providers
        ? path.resolve(cwd, parsed.providers)
        : path.join(REPO_ROOT, 'providers'),
    },
    {
      config,
      urlReader: () => UrlReaders.default({ config, logger }),
      logger,
      cwd,
    },
  );
  process.stdout.write(
    parsed.json
      ? `${JSON.stringify(preview, null, 2)}\n`
      : formatCatalogPreview(preview),
  );
  return preview.errors.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  e => {
    process.stderr.write(`catalog preview: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
