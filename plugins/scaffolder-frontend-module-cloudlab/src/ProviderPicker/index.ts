export { ProviderPicker } from './ProviderPicker';
export type { ProviderChoice } from './ProviderPicker';
export { PROVIDER_PICKER_FIELD_NAME } from './fieldName';
