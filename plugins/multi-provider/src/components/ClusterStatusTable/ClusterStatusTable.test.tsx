import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { ClusterStatusTable } from './ClusterStatusTable';

describe('ClusterStatusTable', () => {
  it('lists each cluster with its state and last error', async () => {
    renderInTestApp(
      <ClusterStatusTable
        clusters={[
          {
            name: 'lab',
            state: 'synced',
            nodes: 5,
            pods: 17,
            syncedAt: '2026-01-01T10:00:00Z',
          },
          {
            name: 'far-away',
            state: 'error',
            nodes: 0,
            pods: 0,
            lastError: 'connect ECONNREFUSED',
            lastErrorType: 'unreachable',
          },
        ]}
      />,
    );
    expect(await screen.findByText('lab')).toBeInTheDocument();
    expect(screen.getByText('live')).toBeInTheDocument();
    expect(screen.getByText('unreachable')).toBeInTheDocument();
    expect(screen.getByText('connect ECONNREFUSED')).toBeInTheDocument();
  });
});
