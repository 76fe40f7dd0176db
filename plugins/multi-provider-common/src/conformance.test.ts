import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  labelRequirementsMatch,
  labelSelectorMatches,
  parseLabelSelector,
  parseQuantity,
  quantityMilliValue,
  quantityValue,
  slimPod,
} from './kube';
import type { KubePod, LabelSelector } from './kube';
import { pinnedProvider } from './placement/pinnedProvider';
import { createProviderRegistry } from './registry';
import { checkVolumeSize, VolumeSizeLimits } from './storage/volumeSize';
import { declaredSecretKeys } from './gitops/secretContract';

// The rules shared with the Go validator run the vectors in conformance/ at the repository root
// (tools/gitops-validate/conformance_test.go runs the same files).
const CONFORMANCE = resolve(__dirname, '../../../conformance');

function vectors<T>(file: string): T[] {
  const doc = JSON.parse(readFileSync(resolve(CONFORMANCE, file), 'utf8'));
  const cases: T[] = doc.cases;
  if (!Array.isArray(cases) || cases.length === 0) {
    throw new Error(`${file} holds no cases`);
  }
  return cases;
}

describe('conformance: quantity', () => {
  type Case = {
    name: string;
    input: string;
    value?: string;
    milliValue?: string;
    error?: boolean;
  };
  const cases = vectors<Case>('quantity/cases.json');

  it.each(cases.filter(c => c.error).map(c => [c.name, c] as const))(
    '%s is refused',
    (_, c) => {
      expect(() => parseQuantity(c.input)).toThrow(
        `"${c.input}" is not a Kubernetes quantity`,
      );
    },
  );

  it.each(cases.filter(c => !c.error).map(c => [c.name, c] as const))(
    '%s',
    (_, c) => {
      const q = parseQuantity(c.input);
      expect({
        value: quantityValue(q).toString(),
        // Only where the vector gives it (it must fit in int64 for Go).
        milliValue:
          c.milliValue === undefined
            ? undefined
            : quantityMilliValue(q).toString(),
      }).toEqual({ value: c.value, milliValue: c.milliValue });
    },
  );
});

describe('conformance: provider minimum size', () => {
  type Case = {
    name: string;
    storage: VolumeSizeLimits;
    requested: string;
    verdict: string;
  };
  it.each(
    vectors<Case>('provider-minimum-size/cases.json').map(
      c => [c.name, c] as const,
    ),
  )('%s', (_, c) => {
    expect(checkVolumeSize(c.requested, c.storage)).toBe(c.verdict);
  });
});

describe('conformance: pinned provider', () => {
  type Case = { name: string; podSpec: KubePod['spec']; pinned: string | null };
  const registry = createProviderRegistry(
    JSON.parse(
      readFileSync(
        resolve(CONFORMANCE, 'pinned-provider/providers.json'),
        'utf8',
      ),
    ).providers,
  );
  it.each(
    vectors<Case>('pinned-provider/cases.json').map(c => [c.name, c] as const),
  )('%s', (_, c) => {
    const pod = slimPod({
      metadata: { name: 'p', namespace: 'n' },
      spec: c.podSpec,
    });
    expect(pinnedProvider(pod, registry) ?? null).toBe(c.pinned);
  });
});

describe('conformance: label selector', () => {
  type Case = {
    name: string;
    selector: LabelSelector | null;
    labels: Record<string, string>;
    matches: boolean;
  };
  it.each(
    vectors<Case>('label-selector/cases.json').map(c => [c.name, c] as const),
  )('%s', (_, c) => {
    expect(labelSelectorMatches(c.selector, c.labels)).toBe(c.matches);
  });
});

describe('conformance: label selector strings', () => {
  type Case = {
    name: string;
    selector: string;
    labels?: Record<string, string>;
    matches?: boolean;
    error?: boolean;
  };
  const cases = vectors<Case>('label-selector/strings.json');
  it.each(cases.filter(c => c.error).map(c => [c.name, c] as const))(
    '%s is refused',
    (_, c) => {
      expect(() => parseLabelSelector(c.selector)).toThrow(
        `Invalid label selector "${c.selector}"`,
      );
    },
  );
  it.each(cases.filter(c => !c.error).map(c => [c.name, c] as const))(
    '%s',
    (_, c) => {
      expect(
        labelRequirementsMatch(parseLabelSelector(c.selector), c.labels),
      ).toBe(c.matches);
    },
  );
});

describe('conformance: secret contract', () => {
  type Case = {
    name: string;
    destination: unknown;
    keys?: string[];
    error?: string;
  };
  const cases = vectors<Case>('secret-contract/cases.json');

  it.each(cases.filter(c => c.error).map(c => [c.name, c] as const))(
    '%s is refused',
    (_, c) => {
      expect(() => declaredSecretKeys(c.destination)).toThrow(c.error);
    },
  );

  it.each(cases.filter(c => !c.error).map(c => [c.name, c] as const))(
    '%s',
    (_, c) => {
      expect(declaredSecretKeys(c.destination)).toEqual(c.keys);
    },
  );
});
