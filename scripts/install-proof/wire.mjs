#!/usr/bin/env node
// Wires the Cloudlab packages into an app fresh from @backstage/create-app the way the package
// READMEs tell an adopter to: resolutions for the packed tarballs (they are on no registry), one
// backend.add line per backend package, the adopter's permission policy instead of allow-all,
// and for the legacy app the routes and entity tabs. Every edit is a string insertion at an
// anchor of the create-app template; a missing anchor stops the proof (the template changed).
//
//   node wire.mjs <app dir> <new|legacy> <tarballs dir>
import fs from 'node:fs';
import path from 'node:path';

const [appDir, flavour, tarballs] = process.argv
  .slice(2)
  .map((a, i) => (i === 1 ? a : a && path.resolve(a)));
if (!appDir || !['new', 'legacy'].includes(flavour) || !tarballs) {
  console.error('usage: wire.mjs <app dir> <new|legacy> <tarballs dir>');
  process.exit(2);
}
const here = path.dirname(new URL(import.meta.url).pathname);

function edit(rel, change) {
  const file = path.join(appDir, rel);
  const before = fs.readFileSync(file, 'utf8');
  const after = change(before);
  fs.writeFileSync(file, after);
}

/** Inserts `text` before (or after) the one occurrence of `anchor`; fails loudly without it. */
function insert(rel, anchor, text, where = 'before') {
  edit(rel, source => {
    const at = source.indexOf(anchor);
    if (at < 0 || source.indexOf(anchor, at + 1) >= 0) {
      throw new Error(
        `${rel}: expected exactly one "${anchor.trim()}" to insert at (create-app template changed?)`,
      );
    }
    const cut = where === 'before' ? at : at + anchor.length;
    return source.slice(0, cut) + text + source.slice(cut);
  });
}

function replace(rel, anchor, text) {
  edit(rel, source => {
    if (!source.includes(anchor)) {
      throw new Error(
        `${rel}: "${anchor.trim()}" not found (create-app template changed?)`,
      );
    }
    return source.replace(anchor, text);
  });
}

// The packages' own dependencies on each other (@cloudlab/plugin-multi-provider-common@^0.1.0 …)
// resolve to the tarballs too.
edit('package.json', source => {
  const manifest = JSON.parse(source);
  manifest.resolutions ??= {};
  for (const file of fs.readdirSync(tarballs).filter(f => f.endsWith('.tgz'))) {
    manifest.resolutions[
      `@cloudlab/${file.replace(/\.tgz$/, '')}`
    ] = `file:${path.join(tarballs, file)}`;
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
});

const backend = 'packages/backend/src/index.ts';
insert(
  backend,
  'backend.start();',
  `// Cloudlab
backend.add(import('@cloudlab/plugin-multi-provider-backend'));
backend.add(import('@cloudlab/plugin-catalog-backend-module-flux'));
backend.add(import('@cloudlab/plugin-scaffolder-backend-module-gitops'));
// The install proof's second identity (the checks sign in by a forwarded user header).
backend.add(import('@backstage/plugin-auth-backend-module-oauth2-proxy-provider'));

`,
);
replace(
  backend,
  `backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);`,
  `backend.add(import('./cloudlabPermissionPolicy'));`,
);
fs.copyFileSync(
  path.join(here, 'adopter/cloudlabPermissionPolicy.ts'),
  path.join(appDir, 'packages/backend/src/cloudlabPermissionPolicy.ts'),
);

// The new frontend system discovers the features of every package the app depends on
// (app.packages: all in the template's app-config.yaml): adding the packages is the wiring.
if (flavour === 'legacy') {
  const app = 'packages/app/src/App.tsx';
  insert(
    app,
    "import { apis } from './apis';",
    `import {
  GitOpsPage,
  ProvidersPage,
  StoragePage,
} from '@cloudlab/plugin-multi-provider/legacy';
import { ProviderPickerFieldExtension } from '@cloudlab/plugin-scaffolder-frontend-module-cloudlab/legacy';
import { ScaffolderFieldExtensions } from '@backstage/plugin-scaffolder-react';
`,
  );
  replace(
    app,
    '<Route path="/create" element={<ScaffolderPage />} />',
    `<Route path="/create" element={<ScaffolderPage />}>
      <ScaffolderFieldExtensions>
        <ProviderPickerFieldExtension />
      </ScaffolderFieldExtensions>
    </Route>
    <Route path="/multi-provider" element={<ProvidersPage />} />
    <Route path="/multi-provider/storage" element={<StoragePage />} />
    <Route path="/multi-provider/gitops" element={<GitOpsPage />} />`,
  );
  const entityPage = 'packages/app/src/components/catalog/EntityPage.tsx';
  insert(
    entityPage,
    "import { Button, Grid } from '@material-ui/core';",
    `import {
  EntityGitOpsContent,
  EntityPlacementContent,
  EntityStorageContent,
  isGitOpsAvailable,
  isPlacementAvailable,
} from '@cloudlab/plugin-multi-provider/legacy';
`,
    'after',
  );
  insert(
    entityPage,
    `    <EntityLayout.Route path="/docs" title="Docs">
      {techdocsContent}
    </EntityLayout.Route>
  </EntityLayout>
);

const websiteEntityPage`,
    `    <EntityLayout.Route
      path="/placement"
      title="Placement"
      if={isPlacementAvailable}
    >
      <EntityPlacementContent />
    </EntityLayout.Route>
    <EntityLayout.Route
      path="/storage"
      title="Storage"
      if={isPlacementAvailable}
    >
      <EntityStorageContent />
    </EntityLayout.Route>
    <EntityLayout.Route path="/gitops" title="GitOps" if={isGitOpsAvailable}>
      <EntityGitOpsContent />
    </EntityLayout.Route>
`,
  );
}
console.log(`wire: ${flavour} app at ${appDir} wired`);
