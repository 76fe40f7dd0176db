import type { LabelRequirement } from '../kube/labelSelector';

/**
 * The observability links the suite may show on an entity, from `cloudlab.links`. Each link is
 * shown only when the keys it needs are configured.
 *
 * @public
 */
export interface DeepLinkConfig {
  grafana?: {
    /** Grafana's external address, e.g. `https://grafana.example.com` (a sub-path is kept). */
    baseUrl: string;
    /** The dashboard every entity links to unless its annotation names another. */
    dashboardUid?: string;
  };
  loki?: {
    /** The uid of Grafana's Loki data source the logs query runs in. */
    datasourceUid: string;
  };
}

/**
 * Names the Grafana dashboard of one entity, overriding `cloudlab.links.grafana.dashboardUid`.
 *
 * @public
 */
export const GRAFANA_DASHBOARD_ANNOTATION =
  'cloudlab.dev/grafana-dashboard-uid';

/**
 * What an entity's links are built from: where its pods live and which labels select them.
 *
 * @public
 */
export interface DeepLinkTarget {
  namespace?: string;
  requirements: LabelRequirement[];
  /** The entity's own dashboard (its {@link GRAFANA_DASHBOARD_ANNOTATION}). */
  dashboardUid?: string;
}

/**
 * The links of one entity; a link is absent when its configuration or its inputs are.
 *
 * @public
 */
export interface EntityDeepLinks {
  dashboard?: string;
  logs?: string;
}

/** A LogQL string literal: backslash, double quote and line breaks escaped. */
function logQlString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')}"`;
}

/** RE2 metacharacters, so that a label value in an `In` list matches only itself. */
function regexLiteral(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * A Kubernetes label key as a Loki label name: the collector turns pod labels into stream labels
 * the way Prometheus relabelling does (every character outside `[a-zA-Z0-9_]` becomes `_`), so
 * `app.kubernetes.io/name` is the stream label `app_kubernetes_io_name`.
 *
 * @public
 */
export function lokiLabelName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * The LogQL stream selector of an entity's pods: its namespace (stream label `namespace`) and
 * one matcher per label requirement. `undefined` when nothing would narrow the streams, since
 * Loki refuses a selector without a non-empty matcher.
 *
 * @public
 */
export function logQlStreamSelector(
  namespace: string | undefined,
  requirements: LabelRequirement[],
): string | undefined {
  const matchers: string[] = [];
  if (namespace) matchers.push(`namespace=${logQlString(namespace)}`);
  for (const r of requirements) {
    const name = lokiLabelName(r.key);
    const values = r.values ?? [];
    const alternatives = logQlString(values.map(regexLiteral).join('|'));
    switch (r.operator) {
      case 'In':
        matchers.push(
          values.length === 1
            ? `${name}=${logQlString(values[0])}`
            : `${name}=~${alternatives}`,
        );
        break;
      case 'NotIn':
        matchers.push(
          values.length === 1
            ? `${name}!=${logQlString(values[0])}`
            : `${name}!~${alternatives}`,
        );
        break;
      case 'Exists':
        matchers.push(`${name}=~".+"`);
        break;
      case 'DoesNotExist':
        matchers.push(`${name}=""`);
        break;
      default:
        throw new Error(
          `label requirement on ${r.key}: operator ${r.operator} has no LogQL form`,
        );
    }
  }
  // Loki needs at least one matcher that cannot match the empty string.
  const narrowing = matchers.some(m => /^[a-zA-Z0-9_]+(=|=~)"[^"]/.test(m));
  return narrowing ? `{${matchers.join(', ')}}` : undefined;
}

function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * The entity's Grafana dashboard and a Grafana Explore query of its pods' logs in Loki, built
 * from the configured base URL and uids. Explore's `panes` parameter is JSON (schema version 1):
 * one pane with the Loki data source, the stream selector and the last hour.
 *
 * @public
 */
export function entityDeepLinks(
  config: DeepLinkConfig,
  target: DeepLinkTarget,
): EntityDeepLinks {
  const links: EntityDeepLinks = {};
  const grafana = config.grafana;
  if (!grafana) return links;
  const dashboardUid = target.dashboardUid || grafana.dashboardUid;
  if (dashboardUid) {
    const query = target.namespace
      ? `?${new URLSearchParams({ 'var-namespace': target.namespace })}`
      : '';
    links.dashboard = joinUrl(
      grafana.baseUrl,
      `/d/${encodeURIComponent(dashboardUid)}${query}`,
    );
  }
  const selector = config.loki
    ? logQlStreamSelector(target.namespace, target.requirements)
    : undefined;
  if (config.loki && selector) {
    const datasource = { type: 'loki', uid: config.loki.datasourceUid };
    const panes = {
      logs: {
        datasource: datasource.uid,
        queries: [{ refId: 'A', expr: selector, datasource }],
        range: { from: 'now-1h', to: 'now' },
      },
    };
    const params = new URLSearchParams({
      schemaVersion: '1',
      panes: JSON.stringify(panes),
    });
    links.logs = joinUrl(grafana.baseUrl, `/explore?${params}`);
  }
  return links;
}
