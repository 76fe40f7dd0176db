import {
  describeExamples,
  workspaceWithNotes,
} from '../__testUtils__/examples';
import { createCatalogEntryCreateAction } from './catalogEntryCreate';

// These tests copy the tree; the machine is shared.
jest.setTimeout(60_000);

describeExamples(createCatalogEntryCreateAction(), {
  workspace: workspaceWithNotes,
});
