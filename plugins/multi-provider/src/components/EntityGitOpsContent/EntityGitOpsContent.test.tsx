import { renderGitOpsTab } from '../../__testUtils__/renderGitOpsTab';
import { expectGitOpsTabForViewer } from '../../__testUtils__/viewExpectations';

describe('EntityGitOpsContent', () => {
  it('shows the roll-up with Flux reason, the chain, inventory placement and the secrets', async () => {
    renderGitOpsTab('DENY');
    await expectGitOpsTabForViewer();
  });
});
