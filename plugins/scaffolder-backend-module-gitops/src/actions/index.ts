import { GitopsConfig } from '../config';
import { createCatalogEntryCreateAction } from './catalogEntryCreate';
import { createFluxKustomizationCreateAction } from './fluxKustomizationCreate';
import { createGitCommitAction } from './gitCommit';
import { createGitopsCheckoutAction } from './gitopsCheckout';
import { createProviderCreateAction } from './providerCreate';
import { createTailscaleExposeAction } from './tailscaleExpose';
import { createGitopsValidateAction } from './gitopsValidate';
import { createVaultSecretCreateAction } from './vaultSecretCreate';
import { createWorkloadCreateAction } from './workloadCreate';

/** Every action of the module, in the order a template uses them. */
export function createActions(config: GitopsConfig) {
  return [
    createGitopsCheckoutAction(config),
    createWorkloadCreateAction(),
    createVaultSecretCreateAction(),
    createTailscaleExposeAction(),
    createFluxKustomizationCreateAction(),
    createCatalogEntryCreateAction(),
    createProviderCreateAction(),
    createGitopsValidateAction(config),
    createGitCommitAction(config),
  ];
}
