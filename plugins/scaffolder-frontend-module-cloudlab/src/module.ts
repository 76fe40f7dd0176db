import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The `CloudlabProviderPicker` field (`ui:field: CloudlabProviderPicker` in a template).
 *
 * @public
 */
export const cloudlabProviderPickerField = FormFieldBlueprint.make({
  name: 'cloudlab-provider-picker',
  params: {
    field: () => import('./fields').then(m => m.CloudlabProviderPicker),
  },
});

/**
 * The `CloudlabCostEstimate` field (`ui:field: CloudlabCostEstimate` in a template): what the run
 * will cost a month, before the person confirms.
 *
 * @public
 */
export const cloudlabCostEstimateField = FormFieldBlueprint.make({
  name: 'cloudlab-cost-estimate',
  params: {
    field: () => import('./fields').then(m => m.CloudlabCostEstimate),
  },
});

/**
 * Adds Cloudlab's form fields to the scaffolder plugin.
 *
 * @public
 */
export default createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [cloudlabProviderPickerField, cloudlabCostEstimateField],
});
