import type { Entity } from '@backstage/catalog-model';
import type { ConfigApi } from '@backstage/frontend-plugin-api';
import {
  DeepLinkConfig,
  DeepLinkTarget,
  entityPodSelection,
  GRAFANA_DASHBOARD_ANNOTATION,
} from '@cloudlab/plugin-multi-provider-common';

/** Where the links are configured (config.d.ts). */
export const DEEP_LINKS_CONFIG_KEY = 'cloudlab.links';

function httpUrl(config: ConfigApi, key: string): string {
  const value = config.getString('baseUrl');
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new Error(
      `${DEEP_LINKS_CONFIG_KEY}.${key}: must be an http(s) URL, got "${value}"`,
    );
  }
  return value;
}

/**
 * Reads `cloudlab.links`; an absent block (or an absent `grafana`) configures no link. A
 * malformed base URL is an error naming the key rather than a link that leads nowhere.
 */
export function readDeepLinkConfig(config?: ConfigApi): DeepLinkConfig {
  const grafana = config?.getOptionalConfig('grafana');
  const loki = config?.getOptionalConfig('loki');
  return {
    ...(grafana && {
      grafana: {
        baseUrl: httpUrl(grafana, 'grafana.baseUrl'),
        dashboardUid: grafana.getOptionalString('dashboardUid'),
      },
    }),
    ...(loki && { loki: { datasourceUid: loki.getString('datasourceUid') } }),
  };
}

/**
 * The entity's pods as the kubernetes plugin selects them (`entityPodSelection`, the rule the
 * backend answers with), and its own dashboard. A selector that does not parse selects nothing
 * here: the Placement tab reports it.
 */
export function deepLinkTarget(entity: Entity): DeepLinkTarget {
  const annotations = entity.metadata.annotations ?? {};
  let selection: ReturnType<typeof entityPodSelection>;
  try {
    selection = entityPodSelection(annotations);
  } catch {
    selection = undefined;
  }
  return {
    namespace: selection?.namespace,
    requirements: selection?.requirements ?? [],
    dashboardUid: annotations[GRAFANA_DASHBOARD_ANNOTATION] || undefined,
  };
}
