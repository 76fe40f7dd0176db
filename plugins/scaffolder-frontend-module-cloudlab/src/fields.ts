import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { ProviderPicker } from './ProviderPicker';

export const CloudlabProviderPicker = createFormField({
  component: ProviderPicker,
  name: 'CloudlabProviderPicker',
});
