/**
 * Cloudlab's scaffolder form fields (new frontend system): `CloudlabProviderPicker`.
 *
 * @packageDocumentation
 */
export { default, cloudlabProviderPickerField } from './module';
export { ProviderPicker } from './ProviderPicker';
export type { ProviderChoice } from './ProviderPicker';
