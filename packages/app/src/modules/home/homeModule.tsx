import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const PLATFORM_SYSTEM = '/catalog/default/system/cloudlab-platform';
const PLATFORM_DOCS = '/docs/default/system/cloudlab-platform';

const content = `
## Cloudlab — one cluster, several European providers

Every workload here runs on nodes from **Hetzner** or **Scaleway** in one Kubernetes cluster,
reconciled by Flux from \`gitops/\`.

- **[The platform system](${PLATFORM_SYSTEM})** — every platform service, where it runs, what backs
  its storage, whether Flux reconciled it and VSO synced its secrets.
- **[The platform handbook](${PLATFORM_DOCS})** — architecture, decision records, runbooks.
- **[Add a workload](/create)** — software templates that open a reviewable GitOps change.
`;

const platformWidget = HomePageWidgetBlueprint.make({
  name: 'cloudlab-platform',
  params: {
    name: 'CloudlabPlatform',
    title: 'Cloudlab platform',
    description:
      'Where to start: the platform system, its docs and the templates',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [platformWidget],
});
