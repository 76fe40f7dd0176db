export { multiProviderApiRef, type MultiProviderApi } from './MultiProviderApi';
export {
  MultiProviderClient,
  InvalidResponseError,
} from './MultiProviderClient';
export { multiProviderApiFactory } from './multiProviderApiFactory';
