/**
 * Cloudlab's scaffolder form fields for apps on the legacy frontend system: place
 * `<ProviderPickerFieldExtension />` inside `<ScaffolderFieldExtensions>` of the `/create` route.
 *
 * @packageDocumentation
 */
import { scaffolderPlugin } from '@backstage/plugin-scaffolder';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { PROVIDER_PICKER_FIELD_NAME, ProviderPicker } from './ProviderPicker';
import { COST_ESTIMATE_FIELD_NAME, CostEstimate } from './CostEstimate';

/**
 * The `CloudlabProviderPicker` field (`ui:field: CloudlabProviderPicker` in a template) for the
 * legacy scaffolder: the same component as the new frontend system's form field.
 *
 * @public
 */
export const ProviderPickerFieldExtension = scaffolderPlugin.provide(
  createScaffolderFieldExtension({
    name: PROVIDER_PICKER_FIELD_NAME,
    component: ProviderPicker,
  }),
);

/**
 * The `CloudlabCostEstimate` field for the legacy scaffolder.
 *
 * @public
 */
export const CostEstimateFieldExtension = scaffolderPlugin.provide(
  createScaffolderFieldExtension({
    name: COST_ESTIMATE_FIELD_NAME,
    component: CostEstimate,
  }),
);

export { ProviderPicker, PROVIDER_PICKER_FIELD_NAME } from './ProviderPicker';
export { CostEstimate, COST_ESTIMATE_FIELD_NAME } from './CostEstimate';
export type { ProviderChoice } from './ProviderPicker';
