export { ProviderPicker } from './ProviderPicker';
export type { ProviderChoice } from './ProviderPicker';
