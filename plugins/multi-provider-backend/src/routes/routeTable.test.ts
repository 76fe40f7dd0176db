import {
  multiProviderPlacementReadPermission,
  multiProviderRoutes,
} from '@internal/plugin-multi-provider-common';
import { placementRoutes, PlacementRoutesOptions } from './placementRoutes';

type Layer = { route?: { path: string; methods: Record<string, boolean> } };

// The API reference (docs/reference/multi-provider-api.md) is generated from
// `multiProviderRoutes`; this keeps that table and the router in step.
describe('the route table in -common', () => {
  it('lists exactly the routes the placement router serves', () => {
    const router = placementRoutes({} as PlacementRoutesOptions) as unknown as {
      stack: Layer[];
    };
    const served = router.stack
      .filter(layer => layer.route)
      .flatMap(({ route }) =>
        Object.keys(route!.methods).map(
          m => `${m.toUpperCase()} ${route!.path}`,
        ),
      );
    const documented = multiProviderRoutes
      .filter(r => r.permission === multiProviderPlacementReadPermission.name)
      .map(r => `${r.method} ${r.path}`);
    expect(served.sort()).toEqual(documented.sort());
  });
});
