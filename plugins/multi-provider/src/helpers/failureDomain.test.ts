import {
  failureDomainResponseSchema,
  platformPlacementResponseSchema,
} from '@cloudlab/plugin-multi-provider-common';
import { hetznerOutage, labPlatform } from '../__fixtures__/placement';
import { failureDomainOptions, sortVerdicts } from './failureDomain';

describe('failure-domain helpers', () => {
  it('fixtures satisfy the shared schemas', () => {
    expect(() =>
      platformPlacementResponseSchema.parse(labPlatform()),
    ).not.toThrow();
    expect(() =>
      failureDomainResponseSchema.parse(hetznerOutage()),
    ).not.toThrow();
  });

  it('lists providers, regions and zones with the nodes each takes down', () => {
    const options = failureDomainOptions(labPlatform());
    expect(options.map(o => `${o.level}:${o.name}:${o.nodes}`)).toEqual([
      'provider:hetzner:3',
      'region:fsn1:2',
      'zone:fsn1-dc14:2',
      'region:ash:1',
      'zone:ash-dc1:1',
      'provider:scaleway:2',
      'region:fr-par:2',
      'zone:fr-par-1:1',
      'zone:fr-par-2:1',
    ]);
    expect(options[0].label).toBe('Hetzner');
    expect(options[1].label).toBe('fsn1 (Hetzner)');
  });

  it('merges a domain present in two clusters', () => {
    const platform = labPlatform();
    platform.clusters.push({ ...platform.clusters[0], cluster: 'other' });
    const hetzner = failureDomainOptions(platform).find(
      o => o.level === 'provider' && o.name === 'hetzner',
    );
    expect(hetzner?.nodes).toBe(6);
  });

  it('sorts verdicts worst first', () => {
    const sorted = sortVerdicts(hetznerOutage().clusters[0].services);
    expect(sorted.map(s => s.verdict)).toEqual([
      'down',
      'degraded',
      'survives',
    ]);
  });
});
