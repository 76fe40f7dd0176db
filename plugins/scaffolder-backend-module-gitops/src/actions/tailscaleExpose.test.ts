import {
  describeExamples,
  workspaceWithNotes,
} from '../__testUtils__/examples';
import { createTailscaleExposeAction } from './tailscaleExpose';

// These tests copy the tree; the machine is shared.
jest.setTimeout(60_000);

describeExamples(createTailscaleExposeAction(), {
  workspace: workspaceWithNotes,
});
