export { ProviderMap, type ProviderMapProps } from './ProviderMap';
