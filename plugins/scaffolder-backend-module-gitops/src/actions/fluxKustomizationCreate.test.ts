import {
  describeExamples,
  workspaceWithNotes,
} from '../__testUtils__/examples';
import { createFluxKustomizationCreateAction } from './fluxKustomizationCreate';

// These tests copy the tree; the machine is shared.
jest.setTimeout(60_000);

describeExamples(createFluxKustomizationCreateAction(), {
  workspace: workspaceWithNotes,
});
