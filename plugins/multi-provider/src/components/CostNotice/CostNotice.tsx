import { WarningPanel } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import type { StalePriceTable } from '@cloudlab/plugin-multi-provider-common';

/**
 * What every cost figure carries: the stale price tables it was computed from (a warning each)
 * and the rule that produced it.
 */
export function CostNotice(props: { stale: StalePriceTable[]; rule: string }) {
  const { stale, rule } = props;
  return (
    <>
      {stale.map(s => (
        <WarningPanel
          key={s.provider}
          severity="warning"
          title={`Prices of ${s.provider} may be out of date`}
          message={s.message}
        />
      ))}
      <Typography variant="caption" color="textSecondary" component="p">
        Monthly list prices from the provider registry. {rule}
      </Typography>
    </>
  );
}
