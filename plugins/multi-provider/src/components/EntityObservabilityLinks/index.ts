export { EntityObservabilityLinks } from './EntityObservabilityLinks';
