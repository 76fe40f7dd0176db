import { parseLabelSelector } from '../kube/labelSelector';
import {
  entityDeepLinks,
  logQlStreamSelector,
  lokiLabelName,
} from './deepLinks';

const config = {
  grafana: {
    baseUrl: 'https://grafana.example.com/',
    dashboardUid: 'cloudlab-placement',
  },
  loki: { datasourceUid: 'loki' },
};

function explorePanes(url: string) {
  const parsed = new URL(url);
  expect(parsed.origin + parsed.pathname).toBe(
    'https://grafana.example.com/explore',
  );
  expect(parsed.searchParams.get('schemaVersion')).toBe('1');
  return JSON.parse(parsed.searchParams.get('panes')!);
}

describe('logQlStreamSelector', () => {
  it('selects the namespace and every equality as a stream matcher', () => {
    expect(
      logQlStreamSelector(
        'pihole-hetzner',
        parseLabelSelector('app=pihole,tier!=cache'),
      ),
    ).toBe('{namespace="pihole-hetzner", app="pihole", tier!="cache"}');
  });

  it('turns label keys into Loki label names', () => {
    expect(lokiLabelName('app.kubernetes.io/name')).toBe(
      'app_kubernetes_io_name',
    );
    expect(lokiLabelName('9lives')).toBe('_9lives');
    expect(
      logQlStreamSelector(
        undefined,
        parseLabelSelector('app.kubernetes.io/name=vault'),
      ),
    ).toBe('{app_kubernetes_io_name="vault"}');
  });

  it('escapes values: quotes and backslashes in strings, regex metacharacters in sets', () => {
    expect(logQlStreamSelector('we"ird\\ns', [])).toBe(
      '{namespace="we\\"ird\\\\ns"}',
    );
    expect(
      logQlStreamSelector('apps', parseLabelSelector('version in (1.2, 1.3)')),
    ).toBe('{namespace="apps", version=~"1\\\\.2|1\\\\.3"}');
    expect(
      logQlStreamSelector('apps', parseLabelSelector('version notin (a.b, c)')),
    ).toBe('{namespace="apps", version!~"a\\\\.b|c"}');
  });

  it('writes existence requirements as regex and empty matchers', () => {
    expect(
      logQlStreamSelector('apps', parseLabelSelector('canary, !legacy')),
    ).toBe('{namespace="apps", canary=~".+", legacy=""}');
  });

  it('gives no selector when nothing narrows the streams (Loki would refuse it)', () => {
    expect(logQlStreamSelector(undefined, [])).toBeUndefined();
    expect(
      logQlStreamSelector(undefined, parseLabelSelector('!legacy, a!=b')),
    ).toBeUndefined();
  });
});

describe('entityDeepLinks', () => {
  const target = {
    namespace: 'pihole-hetzner',
    requirements: parseLabelSelector('app=pihole'),
  };

  it('links the configured dashboard with the namespace variable and Explore with the logs query', () => {
    const links = entityDeepLinks(config, target);
    expect(links.dashboard).toBe(
      'https://grafana.example.com/d/cloudlab-placement?var-namespace=pihole-hetzner',
    );
    const panes = explorePanes(links.logs!);
    const [pane] = Object.values(panes) as any[];
    expect(pane.datasource).toBe('loki');
    expect(pane.queries).toEqual([
      {
        refId: 'A',
        expr: '{namespace="pihole-hetzner", app="pihole"}',
        datasource: { type: 'loki', uid: 'loki' },
      },
    ]);
    expect(pane.range).toEqual({ from: 'now-1h', to: 'now' });
  });

  it('prefers the entity’s own dashboard and keeps a sub-path of the base URL', () => {
    const links = entityDeepLinks(
      {
        grafana: {
          baseUrl: 'https://ops.example.com/grafana',
          dashboardUid: 'x',
        },
      },
      { ...target, dashboardUid: 'pi/hole' },
    );
    expect(links.dashboard).toBe(
      'https://ops.example.com/grafana/d/pi%2Fhole?var-namespace=pihole-hetzner',
    );
    expect(links.logs).toBeUndefined();
  });

  it('shows nothing that is not configured', () => {
    expect(entityDeepLinks({}, target)).toEqual({});
    expect(
      entityDeepLinks({ loki: { datasourceUid: 'loki' } }, target),
    ).toEqual({});
    const noDashboard = entityDeepLinks(
      { grafana: { baseUrl: 'https://g' }, loki: { datasourceUid: 'loki' } },
      target,
    );
    expect(noDashboard.dashboard).toBeUndefined();
    expect(noDashboard.logs).toMatch(/^https:\/\/g\/explore\?/);
  });

  it('gives no logs link for an entity whose pods nothing selects', () => {
    expect(entityDeepLinks(config, { requirements: [] }).logs).toBeUndefined();
  });
});
