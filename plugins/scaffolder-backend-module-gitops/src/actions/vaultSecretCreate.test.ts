import {
  describeExamples,
  workspaceWithNotes,
} from '../__testUtils__/examples';
import { createVaultSecretCreateAction } from './vaultSecretCreate';

// These tests copy the tree; the machine is shared.
jest.setTimeout(60_000);

describeExamples(createVaultSecretCreateAction(), {
  workspace: workspaceWithNotes,
});
