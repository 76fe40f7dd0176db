import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { providers } from '../__fixtures__/providers';
import { ProviderPicker } from './ProviderPicker';

function renderPicker(
  props: Partial<Parameters<typeof ProviderPicker>[0]>,
  response: { status: number; body?: unknown } = {
    status: 200,
    body: { providers },
  },
) {
  const fetched: string[] = [];
  const fetchApi = {
    fetch: async (input: RequestInfo | URL) => {
      fetched.push(String(input));
      return new Response(JSON.stringify(response.body ?? {}), {
        status: response.status,
      });
    },
  };
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://backend/api/${id}`,
  };
  const onChange = jest.fn();
  render(
    <TestApiProvider
      apis={[
        [fetchApiRef, fetchApi],
        [discoveryApiRef, discoveryApi],
      ]}
    >
      <ProviderPicker
        {...({
          onChange,
          schema: { type: 'array', title: 'Providers' },
          formData: [],
          required: true,
          rawErrors: [],
          idSchema: { $id: 'root_providers' },
          uiSchema: {},
          ...props,
        } as any)}
      />
    </TestApiProvider>,
  );
  return { onChange, fetched };
}

describe('ProviderPicker', () => {
  it('lists the registry providers with their storage classes and minimum size', async () => {
    const { fetched } = renderPicker({});
    expect(
      await screen.findByText(
        'Hetzner Cloud (hetzner) — classes hcloud-volumes · volumes ≥ 10Gi · whole GiB',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Scaleway (scaleway) — classes scw-bssd, scw-bssd-retain · volumes ≥ 1Gi',
      ),
    ).toBeInTheDocument();
    expect(fetched).toEqual([
      'http://backend/api/scaffolder/cloudlab/providers',
    ]);
  });

  it('adds and removes providers of an array field', async () => {
    const { onChange } = renderPicker({ formData: ['scaleway'] });
    await userEvent.click(await screen.findByLabelText('Hetzner Cloud'));
    expect(onChange).toHaveBeenLastCalledWith(['scaleway', 'hetzner']);
    await userEvent.click(screen.getByLabelText('Scaleway'));
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it('drops the empty entries the form puts in an array with minItems', async () => {
    const { onChange } = renderPicker({ formData: [undefined] as any });
    await userEvent.click(await screen.findByLabelText('Scaleway'));
    expect(onChange).toHaveBeenLastCalledWith(['scaleway']);
  });

  it('offers a select for a string field', async () => {
    const { onChange } = renderPicker({
      schema: { type: 'string', title: 'Provider' },
      formData: '',
    });
    await screen.findByText('Provider');
    await userEvent.click(screen.getByRole('button'));
    await userEvent.click(await screen.findByText(/^Scaleway \(scaleway\)/));
    expect(onChange).toHaveBeenLastCalledWith('scaleway');
  });

  it('says so when the registry cannot be loaded', async () => {
    renderPicker({}, { status: 500 });
    expect(
      await screen.findByText('Could not load the provider registry: HTTP 500'),
    ).toBeInTheDocument();
  });
});
