import type { MultiProviderApi } from '../api';

/** A {@link MultiProviderApi} whose every method is a jest mock; pass the ones a test needs. */
export function mockMultiProviderApi(
  overrides: Partial<MultiProviderApi> = {},
): MultiProviderApi {
  const api: MultiProviderApi = {
    getEntityPlacement: jest.fn(),
    getPlatformPlacement: jest.fn(),
    analyseFailureDomain: jest.fn(),
    adviseFailureDomain: jest.fn(),
    getClusters: jest.fn(),
    // Views load cost beside their own answer; a test that does not ask sees it still loading.
    getEntityCost: jest.fn(() => new Promise<never>(() => {})),
    getPlatformCost: jest.fn(() => new Promise<never>(() => {})),
    getEntityStorage: jest.fn(),
    getPlatformStorage: jest.fn(),
    getDesiredStorage: jest.fn(),
    getEntityGitOps: jest.fn(),
    getEntitySecrets: jest.fn(),
    getPlatformGitOps: jest.fn(),
    fluxAction: jest.fn(),
  };
  for (const [k, fn] of Object.entries(overrides)) {
    (api as any)[k] = jest.fn(fn as any);
  }
  return api;
}
