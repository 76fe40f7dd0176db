import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  WarningPanel,
} from '@backstage/core-components';
import type { VsoObject } from '@cloudlab/plugin-multi-provider-common';
import { Typography } from '@material-ui/core';
import { ClusterHealth } from '../ClusterHealth';
import { hasClusterData } from '../../helpers/clusterProblem';
import { GitOpsStatus, ReasonCell } from '../GitOpsStatus';
import { useEntityAnswer } from '../../helpers/useEntityAnswer';
import { gitopsChannels } from '../../helpers/useLiveAsync';

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '—');

function exists(v: VsoObject['destinationExists']) {
  if (v === true) return 'yes (VSO reports it synced)';
  if (v === false) return 'no (VSO could not sync it)';
  return 'not reported';
}

/**
 * The entity's "Secrets" card: its VaultStaticSecrets / VaultDynamicSecrets and the VaultAuths
 * they use, from VSO's status — sync state, last sync, refresh interval, destination Secret and
 * whether it exists, rollout restart targets. Never a secret value: the backend has none.
 */
export function EntitySecretsCard() {
  const { value, loading, error } = useEntityAnswer(
    (api, ref) => api.getEntitySecrets(ref),
    gitopsChannels,
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const secrets = value?.clusters.flatMap(c => c.secrets) ?? [];
  const auths = value?.clusters.flatMap(c => c.auths) ?? [];
  const unavailable =
    value?.clusters
      .filter(hasClusterData)
      .flatMap(c =>
        c.unavailable.map(u => `${c.cluster}: ${u.resource}: ${u.error}`),
      ) ?? [];
  return (
    <section aria-label="Secrets synced by VSO">
      <InfoCard
        title="Secrets"
        subheader="Synced by the Vault Secrets Operator — status only, never a value"
      >
        {value?.clusters.map(c => (
          <ClusterHealth key={c.cluster} header={c} named />
        ))}
        {unavailable.length > 0 && (
          <WarningPanel
            severity="info"
            title="Some VSO resources are not served"
            message={unavailable.join('\n')}
          />
        )}
        {secrets.length === 0 ? (
          <Typography variant="body2">
            No VaultStaticSecret or VaultDynamicSecret for this entity.
          </Typography>
        ) : (
          <Table<VsoObject>
            options={{
              paging: false,
              search: false,
              toolbar: false,
              padding: 'dense',
            }}
            columns={[
              {
                title: 'Secret',
                render: s => (
                  <>
                    <Typography variant="body2">{`${s.namespace}/${s.name}`}</Typography>
                    <Typography variant="caption" color="textSecondary">
                      {`${s.kind} · ${s.cluster}`}
                    </Typography>
                  </>
                ),
              },
              {
                title: 'State',
                render: s => (
                  <ReasonCell reason={undefined} message={s.message}>
                    <GitOpsStatus value={s.state} />
                  </ReasonCell>
                ),
              },
              {
                title: 'From Vault',
                render: s => (
                  <>
                    <Typography variant="body2">
                      {[s.mount, s.path].filter(Boolean).join('/')}
                    </Typography>
                    <Typography variant="caption" color="textSecondary">
                      {`refresh ${s.refreshAfter ?? '—'} · last sync ${when(
                        s.lastSync,
                      )}`}
                    </Typography>
                  </>
                ),
              },
              {
                title: 'To Secret',
                render: s => (
                  <>
                    <Typography variant="body2">
                      {s.destination?.name ?? '—'}
                    </Typography>
                    <Typography variant="caption" color="textSecondary">
                      {exists(s.destinationExists)}
                    </Typography>
                  </>
                ),
              },
              {
                title: 'Rollout restart',
                render: s =>
                  (s.rolloutRestartTargets ?? [])
                    .map(t => `${t.kind}/${t.name}`)
                    .join(', ') || '—',
              },
            ]}
            data={secrets}
          />
        )}
        {auths.length > 0 && (
          <Table<VsoObject>
            title="Authentication"
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={[
              { title: 'Kind', field: 'kind' },
              { title: 'Name', render: a => `${a.namespace}/${a.name}` },
              { title: 'State', render: a => <GitOpsStatus value={a.state} /> },
              {
                title: 'Details',
                render: a =>
                  [
                    a.method && `method ${a.method}`,
                    a.role && `role ${a.role}`,
                    a.serviceAccount && `ServiceAccount ${a.serviceAccount}`,
                    a.audiences?.length && `audiences ${a.audiences.join(',')}`,
                    a.vaultAuthGlobalRef &&
                      `global ${a.vaultAuthGlobalRef.namespace}/${a.vaultAuthGlobalRef.name}`,
                    a.allowedNamespaces &&
                      `allowed namespaces ${a.allowedNamespaces.join(', ')}`,
                    a.address && `address ${a.address}`,
                    a.error,
                  ]
                    .filter(Boolean)
                    .join(' · '),
              },
            ]}
            data={auths}
          />
        )}
      </InfoCard>
    </section>
  );
}
