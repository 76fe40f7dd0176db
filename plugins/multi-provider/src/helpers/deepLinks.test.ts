import { mockApis } from '@backstage/frontend-test-utils';
import { deepLinkTarget, readDeepLinkConfig } from './deepLinks';
import { piholeEntity } from '../__fixtures__/placement';

const links = (data: object) =>
  readDeepLinkConfig(
    mockApis
      .config({ data: { cloudlab: { links: data } } })
      .getOptionalConfig('cloudlab.links'),
  );

describe('readDeepLinkConfig', () => {
  it('configures nothing without the block', () => {
    expect(readDeepLinkConfig(undefined)).toEqual({});
  });

  it('reads Grafana and Loki', () => {
    expect(
      links({
        grafana: { baseUrl: 'https://g.example.com', dashboardUid: 'd' },
        loki: { datasourceUid: 'loki' },
      }),
    ).toEqual({
      grafana: { baseUrl: 'https://g.example.com', dashboardUid: 'd' },
      loki: { datasourceUid: 'loki' },
    });
  });

  it('names the key of a base URL that is not an http(s) URL', () => {
    expect(() => links({ grafana: { baseUrl: 'grafana.local' } })).toThrow(
      'cloudlab.links.grafana.baseUrl: must be an http(s) URL, got "grafana.local"',
    );
  });
});

describe('deepLinkTarget', () => {
  it('selects by the label-selector annotation before the kubernetes id', () => {
    const target = deepLinkTarget(
      piholeEntity({
        'backstage.io/kubernetes-label-selector': 'app=pihole',
        'backstage.io/kubernetes-namespace': 'pihole-hetzner',
        'cloudlab.dev/grafana-dashboard-uid': 'pihole',
      }),
    );
    expect(target).toEqual({
      namespace: 'pihole-hetzner',
      requirements: [{ key: 'app', operator: 'In', values: ['pihole'] }],
      dashboardUid: 'pihole',
    });
  });

  it('selects nothing for a selector that does not parse', () => {
    expect(
      deepLinkTarget(
        piholeEntity({ 'backstage.io/kubernetes-label-selector': 'a in' }),
      ).requirements,
    ).toEqual([]);
  });
});
