import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { PROVIDER_PICKER_FIELD_NAME, ProviderPicker } from './ProviderPicker';

export const CloudlabProviderPicker = createFormField({
  component: ProviderPicker,
  name: PROVIDER_PICKER_FIELD_NAME,
});
