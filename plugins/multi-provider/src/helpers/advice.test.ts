import { deltaText, templateHref } from './advice';

describe('templateHref', () => {
  it('opens the template with its parameters as the formData query parameter', () => {
    const href = templateHref({
      template: {
        name: 'stateful-workload',
        formData: {
          name: 'db',
          providers: ['hetzner', 'scaleway'],
          size: '20Gi',
        },
      },
    })!;
    const url = new URL(href, 'http://portal');
    expect(url.pathname).toBe('/create/templates/default/stateful-workload');
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      name: 'db',
      providers: ['hetzner', 'scaleway'],
      size: '20Gi',
    });
  });

  it('has no link for a change no template writes', () => {
    expect(templateHref({})).toBeUndefined();
  });
});

describe('deltaText', () => {
  it('shows the monthly delta in the currency, or why it is unknown', () => {
    expect(deltaText({ monthlyDelta: 7.4939 }, 'EUR')).toBe('+€7.49 a month');
    expect(
      deltaText({ monthlyDelta: null, unknownReason: 'no price table' }, 'EUR'),
    ).toBe('unknown (no price table)');
  });
});
