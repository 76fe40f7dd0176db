import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { PROVIDER_PICKER_FIELD_NAME, ProviderPicker } from './ProviderPicker';
import { COST_ESTIMATE_FIELD_NAME, CostEstimate } from './CostEstimate';

export const CloudlabProviderPicker = createFormField({
  component: ProviderPicker,
  name: PROVIDER_PICKER_FIELD_NAME,
});

export const CloudlabCostEstimate = createFormField({
  component: CostEstimate,
  name: COST_ESTIMATE_FIELD_NAME,
});
