import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { Box, FormHelperText, FormLabel, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import {
  costEstimateResponseSchema,
  type CostEstimateRequest,
  type CostEstimateResponse,
} from '@cloudlab/plugin-multi-provider-common';

/**
 * The name templates give the cost estimate (`ui:field: CloudlabCostEstimate`).
 *
 * @public
 */
export const COST_ESTIMATE_FIELD_NAME = 'CloudlabCostEstimate';

/**
 * What the form's answers so far will create, as `POST /cost/estimate` takes it: the chosen
 * providers, replicas per instance and the volume size (`storageSize` or `size`); undefined until
 * a provider is chosen.
 *
 * @public
 */
export function estimateRequest(
  formData: Record<string, unknown> | undefined,
): CostEstimateRequest | undefined {
  const providers = (
    Array.isArray(formData?.providers) ? formData!.providers : []
  ).filter((p): p is string => typeof p === 'string' && p !== '');
  if (providers.length === 0) return undefined;
  const replicas =
    typeof formData?.replicas === 'number' ? formData.replicas : 1;
  const size = formData?.storageSize ?? formData?.size;
  return {
    providers,
    replicas,
    ...(typeof size === 'string' && size !== '' ? { storageSize: size } : {}),
  };
}

function money(amount: number | null, currency: string | null) {
  if (amount === null) return 'unknown';
  return currency
    ? new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(
        amount,
      )
    : amount.toFixed(2);
}

function line(i: CostEstimateResponse['instances'][number], c: string | null) {
  const pods = i.pods.fits
    ? `pods ${money(i.pods.monthly, c)} on ${i.pods.serverType}`
    : `pods: ${i.pods.reason}`;
  const volume = i.volume
    ? `, volume ${i.volume.billedGiB ?? '?'} GiB ${money(i.volume.monthly, c)}`
    : '';
  return `${i.provider}: ${money(i.monthly, c)} a month (${pods}${volume})`;
}

/**
 * Shows what the template run will cost a month before the person confirms, from the portal's
 * cost rule (`POST /api/multi-provider/cost/estimate`). It sets no value: the actions ignore it.
 *
 * @public
 */
export function CostEstimate(props: FieldExtensionComponentProps<string>) {
  const { schema, formContext } = props;
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const request = estimateRequest(
    (formContext as { formData?: Record<string, unknown> } | undefined)
      ?.formData,
  );
  const key = JSON.stringify(request ?? null);
  const state = useAsync(async () => {
    if (!request) return undefined;
    const base = await discovery.getBaseUrl('multi-provider');
    const res = await fetchApi.fetch(`${base}/cost/estimate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return costEstimateResponseSchema.parse(await res.json());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [discovery, fetchApi, key]);
  const value = state.value;
  return (
    <Box
      my={2}
      data-testid="cloudlab-cost-estimate"
      role="status"
      aria-label="monthly cost of this template run"
    >
      <FormLabel>{schema.title ?? 'Monthly cost'}</FormLabel>
      {!request && (
        <FormHelperText>Choose providers to see the cost.</FormHelperText>
      )}
      {state.loading && <FormHelperText>Pricing…</FormHelperText>}
      {state.error && (
        <FormHelperText error>
          Could not price this run: {state.error.message}
        </FormHelperText>
      )}
      {value && (
        <>
          <Typography variant="h6">
            {money(value.monthly, value.currency)} a month
          </Typography>
          {value.instances.map(i => (
            <Typography key={i.provider} variant="body2">
              {line(i, value.currency)}
            </Typography>
          ))}
          <FormHelperText>
            Each pod requests {value.requests.cpu} CPU and{' '}
            {value.requests.memory} memory. {value.rule}
          </FormHelperText>
        </>
      )}
    </Box>
  );
}
