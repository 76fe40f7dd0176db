import {
  ProviderRegistry,
  createProviderRegistry,
} from '@internal/plugin-multi-provider-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';

/** Reads every `*.yaml` in the registry directory and validates it as the provider registry. */
export function loadProviderRegistry(dir: string): ProviderRegistry {
  const files = fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const docs = files.flatMap(file =>
    parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map(d => {
      if (d.errors.length > 0) {
        throw new Error(`${file}: ${d.errors[0].message}`);
      }
      return d.toJS();
    }),
  );
  return createProviderRegistry(docs);
}
