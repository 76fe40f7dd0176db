import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  Checkbox,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  MenuItem,
  TextField,
} from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import type { ProviderDefinition } from '@cloudlab/plugin-multi-provider-common';

/**
 * A provider as `GET /api/scaffolder/cloudlab/providers` (scaffolder-backend-module-gitops)
 * serves it from the provider registry.
 *
 * @public
 */
export type ProviderChoice = Pick<
  ProviderDefinition,
  'name' | 'displayName' | 'storage'
>;

/** "classes a, b · volumes ≥ 10Gi (whole GiB)" - what a form user needs to size a volume. */
export function storageSummary(p: ProviderChoice): string {
  if (!p.storage) return 'no block storage';
  const parts = [
    `classes ${p.storage.classes.map(c => c.name).join(', ') || 'none'}`,
  ];
  if (p.storage.minVolumeSize)
    parts.push(`volumes ≥ ${p.storage.minVolumeSize}`);
  if (p.storage.wholeGiB) parts.push('whole GiB');
  return parts.join(' · ');
}

function useProviders() {
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return useAsync(async () => {
    const base = await discovery.getBaseUrl('scaffolder');
    const res = await fetchApi.fetch(`${base}/cloudlab/providers`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()).providers as ProviderChoice[];
  }, [discovery, fetchApi]);
}

/**
 * Picks providers from the provider registry: check boxes for an `array` field (one instance
 * per checked provider), a select for a `string` field. Each choice shows the provider's
 * storage classes and minimum volume size. The actions check the submitted names again.
 *
 * @public
 */
export function ProviderPicker(
  props: FieldExtensionComponentProps<string[] | string>,
) {
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const { value: providers, loading, error } = useProviders();
  const title = schema.title ?? 'Providers';
  const invalid = Boolean(rawErrors?.length) || Boolean(error);
  const help = error
    ? `Could not load the provider registry: ${error.message}`
    : schema.description;

  if (schema.type === 'array') {
    // The form fills an array with `minItems` empty entries before anything is chosen.
    const chosen = (Array.isArray(formData) ? formData : []).filter(
      (n): n is string => typeof n === 'string' && n !== '',
    );
    const toggle = (name: string, on: boolean) =>
      onChange(
        on
          ? [...chosen.filter(n => n !== name), name]
          : chosen.filter(n => n !== name),
      );
    return (
      <FormControl
        component="fieldset"
        required={required}
        error={invalid}
        margin="normal"
        data-testid="cloudlab-provider-picker"
      >
        <FormLabel component="legend">{title}</FormLabel>
        <FormGroup>
          {loading && <FormHelperText>Loading providers…</FormHelperText>}
          {(providers ?? []).map(p => (
            <FormControlLabel
              key={p.name}
              control={
                <Checkbox
                  checked={chosen.includes(p.name)}
                  onChange={e => toggle(p.name, e.target.checked)}
                  name={p.name}
                  inputProps={{ 'aria-label': p.displayName }}
                />
              }
              label={`${p.displayName} (${p.name}) — ${storageSummary(p)}`}
            />
          ))}
        </FormGroup>
        {help && <FormHelperText>{help}</FormHelperText>}
      </FormControl>
    );
  }

  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      label={title}
      required={required}
      error={invalid}
      helperText={loading ? 'Loading providers…' : help}
      value={typeof formData === 'string' ? formData : ''}
      onChange={e => onChange(e.target.value as string)}
      data-testid="cloudlab-provider-picker"
    >
      {(providers ?? []).map(p => (
        <MenuItem key={p.name} value={p.name}>
          {`${p.displayName} (${p.name}) — ${storageSummary(p)}`}
        </MenuItem>
      ))}
    </TextField>
  );
}
