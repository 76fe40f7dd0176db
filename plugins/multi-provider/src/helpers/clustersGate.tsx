import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';

/**
 * What an entity tab shows instead of its answer while it loads, when it failed, or when the
 * backend has no cluster; `null` once there is an answer with clusters to show.
 */
export function clustersGate(
  loading: boolean,
  error: Error | undefined,
  clusterCount: number | undefined,
): JSX.Element | null {
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!clusterCount) {
    return (
      <EmptyState
        missing="data"
        title="No clusters configured"
        description="The multi-provider backend has no cluster to look in."
      />
    );
  }
  return null;
}
