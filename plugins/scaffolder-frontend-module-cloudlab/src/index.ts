/**
 * Cloudlab's scaffolder form fields (new frontend system): `CloudlabProviderPicker` and
 * `CloudlabCostEstimate`.
 *
 * @packageDocumentation
 */
export {
  default,
  cloudlabProviderPickerField,
  cloudlabCostEstimateField,
} from './module';
export {
  CostEstimate,
  COST_ESTIMATE_FIELD_NAME,
  estimateRequest,
} from './CostEstimate';
export { ProviderPicker, PROVIDER_PICKER_FIELD_NAME } from './ProviderPicker';
export type { ProviderChoice } from './ProviderPicker';
