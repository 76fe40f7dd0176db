/**
 * The multi-provider backend plugin, with the default implementations of the extension points
 * declared in `@cloudlab/plugin-multi-provider-node`.
 *
 * @packageDocumentation
 */
export { multiProviderBackend as default } from './multiProviderBackend';
export { defaultServiceFactories } from './defaultServiceFactories';
