import { Link } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { entityDeepLinks } from '@cloudlab/plugin-multi-provider-common';
import { Box, Grid } from '@material-ui/core';
import {
  DEEP_LINKS_CONFIG_KEY,
  deepLinkTarget,
  readDeepLinkConfig,
} from '../../helpers/deepLinks';

/**
 * The entity's Grafana dashboard and a Loki query of its pods' logs, when `cloudlab.links`
 * configures them; nothing at all otherwise. A full-width row of the entity views' grid.
 */
export function EntityObservabilityLinks() {
  const { entity } = useEntity();
  const config = useApi(configApiRef);
  const links = entityDeepLinks(
    readDeepLinkConfig(config.getOptionalConfig(DEEP_LINKS_CONFIG_KEY)),
    deepLinkTarget(entity),
  );
  if (!links.dashboard && !links.logs) return null;
  return (
    <Grid item xs={12}>
      <Box
        component="nav"
        aria-label="observability links"
        display="flex"
        gridGap={16}
      >
        {links.dashboard && <Link to={links.dashboard}>Grafana dashboard</Link>}
        {links.logs && <Link to={links.logs}>Logs in Loki</Link>}
      </Box>
    </Grid>
  );
}
