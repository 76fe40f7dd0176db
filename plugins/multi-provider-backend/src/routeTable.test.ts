import { multiProviderRoutes } from '@internal/plugin-multi-provider-common';
import { gitopsRoutes, GitOpsRoutesOptions } from './gitops/gitopsRouter';
import {
  placementRoutes,
  PlacementRoutesOptions,
} from './placement/placementRouter';
import { storageRoutes, StorageRoutesOptions } from './storage/storageRouter';

type Layer = { route?: { path: string; methods: Record<string, boolean> } };

function served(router: unknown): string[] {
  return (router as { stack: Layer[] }).stack
    .filter(layer => layer.route)
    .flatMap(({ route }) =>
      Object.keys(route!.methods).map(m => `${m.toUpperCase()} ${route!.path}`),
    );
}

// The API reference (docs/reference/multi-provider-api.md) is generated from
// `multiProviderRoutes`; this keeps that table and the routers in step.
describe('the route table in -common', () => {
  it('lists exactly the routes the placement, storage and GitOps routers serve', () => {
    const all = [
      ...served(placementRoutes({} as PlacementRoutesOptions)),
      ...served(storageRoutes({} as StorageRoutesOptions)),
      ...served(gitopsRoutes({} as GitOpsRoutesOptions)),
    ];
    const documented = multiProviderRoutes.map(r => `${r.method} ${r.path}`);
    expect(all.sort()).toEqual(documented.sort());
  });
});
