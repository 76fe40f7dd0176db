import {
  StatusError,
  StatusOK,
  StatusWarning,
  StatusPending,
} from '@backstage/core-components';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import type { StorageFinding } from '@cloudlab/plugin-multi-provider-common';

/** A finding's severity as a Backstage status icon with the word. */
export function SeverityStatus(props: {
  severity: StorageFinding['severity'];
}) {
  const { severity } = props;
  if (severity === 'error') return <StatusError>error</StatusError>;
  if (severity === 'warning') return <StatusWarning>warning</StatusWarning>;
  return <StatusPending>info</StatusPending>;
}

/** `Kind namespace/name` of an object a finding names. */
export function objectLabel(o: StorageFinding['objects'][number]): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** Props of {@link StorageFindingList}. */
export interface StorageFindingListProps {
  findings: StorageFinding[];
  /** Shown when there is none. */
  emptyText?: string;
  /** Total when the list is a prefix of more findings. */
  total?: number;
}

/** Storage findings, most severe first: severity, message, the objects involved and the fix. */
export function StorageFindingList(props: StorageFindingListProps) {
  const { findings, emptyText = 'No storage findings', total } = props;
  if (findings.length === 0) {
    return <StatusOK>{emptyText}</StatusOK>;
  }
  return (
    <>
      <List dense aria-label="storage findings">
        {findings.map((f, i) => (
          <ListItem key={`${f.id}-${i}`} alignItems="flex-start" divider>
            <ListItemText
              primary={
                <>
                  <SeverityStatus severity={f.severity} />{' '}
                  <Typography component="span" variant="body2">
                    <code>{f.id}</code> — {f.message}
                  </Typography>
                </>
              }
              secondary={
                <>
                  <span>Objects: {f.objects.map(objectLabel).join(', ')}</span>
                  <br />
                  <span>Fix: {f.fix}</span>
                </>
              }
            />
          </ListItem>
        ))}
      </List>
      {total !== undefined && total > findings.length && (
        <Typography variant="caption">
          Showing {findings.length} of {total} findings.
        </Typography>
      )}
    </>
  );
}
