import type { LabelSelector } from './types';

/**
 * One label requirement: a key, an operator and its values.
 *
 * @public
 */
export interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

/**
 * Whether a label value (undefined: the label is absent) satisfies a set-based requirement.
 * As in Kubernetes, `NotIn` and `DoesNotExist` also hold for objects without the label.
 * `undefined` for an operator a label selector does not know.
 *
 * @public
 */
export function labelRequirementHolds(
  req: LabelRequirement,
  value: string | undefined,
): boolean | undefined {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      return undefined;
  }
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Whether `key` is a valid label key: an optional DNS subdomain prefix and a name of ≤ 63.
 *
 * @public
 */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
  ) {
    return false;
  }
  return name.length > 0 && name.length <= 63 && NAME.test(name);
}

/**
 * Whether `value` is a valid label value: empty, or a name of ≤ 63 characters.
 *
 * @public
 */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value));
}

function requirementIsValid(r: LabelRequirement): boolean {
  if (!isLabelKey(r.key)) return false;
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      return values.length > 0 && values.every(isLabelValue);
    case 'Exists':
    case 'DoesNotExist':
      return values.length === 0;
    default:
      return false;
  }
}

// Selectors are checked once per object: the same few selectors are matched against every pod.
const VALIDITY = new WeakMap<LabelSelector, boolean>();

/**
 * Whether the API server would accept the selector (keys, values, operators and their values).
 *
 * @public
 */
export function isValidLabelSelector(selector: LabelSelector): boolean {
  let valid = VALIDITY.get(selector);
  if (valid === undefined) {
    valid =
      Object.entries(selector.matchLabels ?? {}).every(
        ([k, v]) => isLabelKey(k) && isLabelValue(v),
      ) && (selector.matchExpressions ?? []).every(requirementIsValid);
    VALIDITY.set(selector, valid);
  }
  return valid;
}

/**
 * Whether labels satisfy a label selector (`matchLabels` and `matchExpressions`, ANDed), with
 * the API server's meaning: a missing selector matches nothing, an empty one everything, and
 * one the API server would reject matches nothing. The Go validator's twin
 * (tools/gitops-validate/selector.go) runs the same vectors (conformance/label-selector).
 *
 * @public
 */
export function labelSelectorMatches(
  selector: LabelSelector | null | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || !isValidLabelSelector(selector)) return false;
  const l = labels ?? {};
  return (
    Object.entries(selector.matchLabels ?? {}).every(
      ([key, value]) => labelOf(l, key) === value,
    ) &&
    (selector.matchExpressions ?? []).every(
      r => labelRequirementHolds(r, labelOf(l, r.key)) === true,
    )
  );
}

/**
 * Whether labels satisfy every requirement (as parsed by {@link parseLabelSelector}).
 *
 * @public
 */
export function labelRequirementsMatch(
  requirements: readonly LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return requirements.every(
    r => labelRequirementHolds(r, labelOf(l, r.key)) === true,
  );
}

/**
 * A label's value; undefined when absent (never an inherited property such as `constructor`).
 *
 * @public
 */
export function labelOf(
  labels: Record<string, string>,
  key: string,
): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key)
    ? labels[key]
    : undefined;
}

/**
 * Thrown by {@link parseLabelSelector} for text that is not a label selector.
 *
 * @public
 */
export class InvalidLabelSelectorError extends Error {
  constructor(text: string, part: string, why: string) {
    super(`Invalid label selector "${text}" at "${part}": ${why}`);
    this.name = 'InvalidLabelSelectorError';
  }
}

/** Splits at the commas that are not inside a value list's parentheses. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map(p => p.trim());
}

/** One requirement of the string form, unchecked; undefined when it has none of the shapes. */
function requirementOf(part: string): LabelRequirement | undefined {
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
  if (set) {
    // As in Kubernetes, an empty list `()` is the empty value.
    const values = set[3].split(',').map(v => v.trim());
    return { key: set[1], operator: set[2] === 'in' ? 'In' : 'NotIn', values };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (equality) {
    const [, key, op, value] = equality;
    return { key, operator: op === '!=' ? 'NotIn' : 'In', values: [value] };
  }
  const exists = /^(!?)\s*([^=!\s(),]+)$/.exec(part);
  if (exists) {
    return { key: exists[2], operator: exists[1] ? 'DoesNotExist' : 'Exists' };
  }
  return undefined;
}

/**
 * Parses a label selector's string form (`a=b, c!=d, e in (x,y), !f, g`), as the kubernetes
 * plugin reads the `backstage.io/kubernetes-label-selector` annotation, into requirements that
 * {@link labelRequirementHolds} matches. `key=v` is `In [v]`, `key!=v` is `NotIn [v]`; keys
 * and values must be valid label keys and values. An empty text selects everything.
 *
 * @public
 */
export function parseLabelSelector(text: string): LabelRequirement[] {
  if (text.trim() === '') return [];
  return splitRequirements(text).map((part): LabelRequirement => {
    const fail = (why: string) =>
      new InvalidLabelSelectorError(text, part, why);
    const req = requirementOf(part);
    if (!req) {
      throw fail('expected key, !key, key=value, key!=value or key in (…)');
    }
    if (!isLabelKey(req.key)) throw fail(`"${req.key}" is not a label key`);
    const bad = req.values?.find(v => !isLabelValue(v));
    if (bad !== undefined) throw fail(`"${bad}" is not a label value`);
    return req;
  });
}
