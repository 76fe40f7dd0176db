/**
 * Cloudlab's scaffolder form fields (new frontend system): `CloudlabProviderPicker`.
 *
 * @packageDocumentation
 */
export { default, cloudlabProviderPickerField } from './module';
export { ProviderPicker, PROVIDER_PICKER_FIELD_NAME } from './ProviderPicker';
export type { ProviderChoice } from './ProviderPicker';
