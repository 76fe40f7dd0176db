import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Typography } from '@material-ui/core';
import type { DesiredKustomization } from '@cloudlab/plugin-multi-provider-common';
import useAsync from 'react-use/esm/useAsync';
import { multiProviderApiRef } from '../../api';
import { StorageFindingList } from '../StorageFindingList';

interface Row {
  kustomization: string;
  claim: string;
  storageClassName: string;
  provider: string;
  requested: string;
  workloads: string;
}

const columns: TableColumn<Row>[] = [
  { title: 'Flux Kustomization', field: 'kustomization' },
  { title: 'Claim', field: 'claim' },
  { title: 'Class', field: 'storageClassName' },
  { title: 'Provider', field: 'provider' },
  { title: 'Size', field: 'requested' },
  { title: 'Mounted by (pinned to)', field: 'workloads' },
];

function rows(list: DesiredKustomization[]): Row[] {
  return list.flatMap(k =>
    k.claims.map(c => ({
      kustomization: k.name,
      claim: `${c.namespace}/${c.name}`,
      storageClassName: c.storageClassName ?? '(none)',
      provider: c.provider ?? '—',
      requested: c.requested ?? '—',
      workloads:
        c.workloads
          .map(
            w =>
              `${w.kind} ${w.name}${
                w.pinnedProvider ? ` (${w.pinnedProvider})` : ''
              }`,
          )
          .join(', ') || '—',
    })),
  );
}

/**
 * Desired state from gitops/: the claims each Flux Kustomization of the cluster tree will
 * create, their class and provider, and the findings a reviewer should see before merging.
 */
export function DesiredStorageCard(props: { cluster?: string }) {
  const api = useApi(multiProviderApiRef);
  const desired = useAsync(
    () => api.getDesiredStorage(props.cluster),
    [api, props.cluster],
  );
  if (desired.loading) return <Progress />;
  if (desired.error) return <ResponseErrorPanel error={desired.error} />;
  const value = desired.value!;
  const findings = [
    ...value.findings,
    ...value.kustomizations.flatMap(k => k.findings),
  ];
  const failed = value.kustomizations.filter(k => k.error);
  return (
    <InfoCard
      title={`Desired storage (gitops/clusters/${value.cluster})`}
      subheader={`Rendered with kustomize at ${new Date(
        value.renderedAt,
      ).toLocaleTimeString()}: ${
        value.kustomizations.length
      } Flux Kustomizations`}
    >
      {failed.map(k => (
        <WarningPanel
          key={k.name}
          severity="warning"
          title={`${k.name} (${k.path}) did not render`}
          message={k.error}
        />
      ))}
      <Typography variant="subtitle1">Findings before merge</Typography>
      <StorageFindingList
        findings={findings}
        emptyText="No storage findings in the desired state"
      />
      <Table<Row>
        title="Claims the Kustomizations will create"
        options={{ search: false, paging: false, padding: 'dense' }}
        columns={columns}
        data={rows(value.kustomizations)}
      />
    </InfoCard>
  );
}
