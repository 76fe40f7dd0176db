import { GitopsConfig } from '../config';
import { createCatalogEntryAction } from './catalogEntry';
import { createFluxWiringAction } from './fluxWiring';
import { createGitCommitAction } from './gitCommit';
import { createGitopsCheckoutAction } from './gitopsCheckout';
import { createProviderOnboardingAction } from './providerOnboarding';
import { createTailscaleExposureAction } from './tailscaleExposure';
import { createValidateAction } from './validate';
import { createVsoResourcesAction } from './vsoResources';
import { createWorkloadOverlaysAction } from './workloadOverlays';

/** Every action of the module, in the order a template uses them. */
export function createActions(config: GitopsConfig) {
  return [
    createGitopsCheckoutAction(config),
    createWorkloadOverlaysAction(),
    createVsoResourcesAction(),
    createTailscaleExposureAction(),
    createFluxWiringAction(),
    createCatalogEntryAction(),
    createProviderOnboardingAction(),
    createValidateAction(config),
    createGitCommitAction(config),
  ];
}
