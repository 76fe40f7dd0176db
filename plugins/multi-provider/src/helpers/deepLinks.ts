import type { Entity } from '@backstage/catalog-model';
import type { ConfigApi } from '@backstage/frontend-plugin-api';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import {
  DeepLinkConfig,
  DeepLinkTarget,
  GRAFANA_DASHBOARD_ANNOTATION,
  LabelRequirement,
  parseLabelSelector,
} from '@cloudlab/plugin-multi-provider-common';

/** Where the links are configured (config.d.ts). */
export const DEEP_LINKS_CONFIG_KEY = 'cloudlab.links';

const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

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
 * The entity's pods as the kubernetes plugin selects them (the label-selector annotation, else
 * the `backstage.io/kubernetes-id` label), its namespace and its own dashboard. A selector that
 * does not parse selects nothing here: the Placement tab reports it.
 */
export function deepLinkTarget(entity: Entity): DeepLinkTarget {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION];
  const id = annotations[KUBERNETES_ANNOTATION];
  let requirements: LabelRequirement[] = [];
  try {
    if (selector) requirements = parseLabelSelector(selector);
    else if (id)
      requirements = [
        { key: KUBERNETES_ANNOTATION, operator: 'In', values: [id] },
      ];
  } catch {
    requirements = [];
  }
  return {
    namespace: annotations[KUBERNETES_NAMESPACE_ANNOTATION] || undefined,
    requirements,
    dashboardUid: annotations[GRAFANA_DASHBOARD_ANNOTATION] || undefined,
  };
}
