import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import {
  ScaffolderFieldExtensions,
  useCustomFieldExtensions,
} from '@backstage/plugin-scaffolder-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { providers } from './__fixtures__/providers';
import {
  PROVIDER_PICKER_FIELD_NAME,
  ProviderPickerFieldExtension,
} from './legacy';

// What a legacy app puts under the `/create` route of App.tsx.
const outlet = (
  <ScaffolderFieldExtensions>
    <ProviderPickerFieldExtension />
  </ScaffolderFieldExtensions>
);

/** Collects the field extensions from the outlet as the legacy scaffolder does, and renders one. */
function FormWithCollectedField(props: { onChange: (v: unknown) => void }) {
  const fields = useCustomFieldExtensions(outlet);
  const field = fields.find(f => f.name === PROVIDER_PICKER_FIELD_NAME);
  if (!field) return <p>fields: {fields.map(f => f.name).join(', ')}</p>;
  const Field = field.component as (p: any) => JSX.Element | null;
  return (
    <Field
      onChange={props.onChange}
      schema={{ type: 'array', title: 'Providers' }}
      formData={[]}
      required
      rawErrors={[]}
      idSchema={{ $id: 'root_providers' }}
      uiSchema={{}}
    />
  );
}

describe('ProviderPickerFieldExtension', () => {
  it('is collected by the legacy scaffolder under the name templates use, and picks providers', async () => {
    expect(PROVIDER_PICKER_FIELD_NAME).toBe('CloudlabProviderPicker');
    const fetched: string[] = [];
    const onChange = jest.fn();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            discoveryApiRef,
            { getBaseUrl: async (id: string) => `http://backend/api/${id}` },
          ],
          [
            fetchApiRef,
            {
              fetch: async (input: RequestInfo | URL) => {
                fetched.push(String(input));
                return new Response(JSON.stringify({ providers }));
              },
            },
          ],
        ]}
      >
        <FormWithCollectedField onChange={onChange} />
      </TestApiProvider>,
    );
    await userEvent.click(await screen.findByLabelText('Scaleway'));
    expect(onChange).toHaveBeenLastCalledWith(['scaleway']);
    expect(fetched).toEqual([
      'http://backend/api/scaffolder/cloudlab/providers',
    ]);
  });
});
