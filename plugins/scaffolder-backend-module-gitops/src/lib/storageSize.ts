// The pattern is the cost estimate's too: one definition, in -common.
export { STORAGE_SIZE_PATTERN } from '@cloudlab/plugin-multi-provider-common';
