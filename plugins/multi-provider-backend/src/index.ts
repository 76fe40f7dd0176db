/**
 * The multi-provider backend plugin.
 *
 * @packageDocumentation
 */
export { multiProviderPlugin as default } from './plugin';
