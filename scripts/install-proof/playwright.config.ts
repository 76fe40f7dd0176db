import { defineConfig } from '@playwright/test';
import baseConfig from '../../playwright.config';

/**
 * The install proof's browser checks, against the fresh app that scripts/install-proof.sh serves
 * (CLOUDLAB_INSTALL_PROOF_URL), with the repository's Chromium settings.
 */
export default defineConfig({
  ...baseConfig,
  testDir: 'browser',
  outputDir: '../../e2e-artifacts/install-proof-results',
  use: {
    ...baseConfig.use,
    baseURL: process.env.CLOUDLAB_INSTALL_PROOF_URL ?? 'http://localhost:7017',
  },
});
