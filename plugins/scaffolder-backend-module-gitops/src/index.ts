/**
 * Scaffolder actions that write Cloudlab's GitOps changes: provider overlays, VSO resources,
 * Flux wiring, Tailscale exposure, catalog entries; validation; local Git commits.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGitops as default } from './module';
export { scaffolderModuleGitops } from './module';
export { stopValidatorServers } from './lib/validator';
export { loadTemplateExamples } from './templateExamples';
