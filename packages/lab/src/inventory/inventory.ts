import fs from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { findProvider, Provider } from '../registry/labProviders';

const taintSchema = z.object({
  key: z.string(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const nodePoolSchema = z.object({
  provider: z.string(),
  region: z.string(),
  zone: z.string(),
  instanceType: z.string(),
  count: z.number().int().min(0),
  /** Optional name prefix; defaults to `<provider>-<zone>-<instanceType>`. */
  name: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  taints: z.array(taintSchema).default([]),
});

/** `lab/inventory/*.yaml`: the simulated nodes and the volume pool. */
export const inventorySchema = z.object({
  apiVersion: z.literal('cloudlab.dev/v1alpha1'),
  kind: z.literal('LabInventory'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    nodePools: z.array(nodePoolSchema).min(1),
    volumePool: z
      .object({
        sizes: z.array(z.string()).min(1),
        copies: z.number().int().min(1),
      })
      .default({ sizes: ['10Gi'], copies: 1 }),
  }),
});

/** A parsed inventory. */
export type Inventory = z.infer<typeof inventorySchema>;
/** One pool of identical nodes. */
export type NodePool = Inventory['spec']['nodePools'][number];
/** A node taint as written in the inventory. */
export type Taint = z.infer<typeof taintSchema>;

/** Parses inventory YAML text (schema only; see {@link validateInventory} for the registry check). */
export function parseInventory(text: string, source = 'inventory'): Inventory {
  const parsed = inventorySchema.safeParse(parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${source}: invalid inventory at ${issue.path.join('.')}: ${
        issue.message
      }`,
    );
  }
  return parsed.data;
}

/**
 * Checks every pool against the provider registry: the provider, the region, the zone within that
 * region and the instance type must all be defined there. Returns the problems (empty when valid).
 */
export function validateInventory(
  inventory: Inventory,
  providers: Provider[],
): string[] {
  const problems: string[] = [];
  inventory.spec.nodePools.forEach((pool, i) => {
    const where = `spec.nodePools[${i}]`;
    const provider = findProvider(providers, pool.provider);
    if (!provider) {
      problems.push(
        `${where}: provider "${
          pool.provider
        }" is not in the registry (known: ${providers
          .map(p => p.name)
          .join(', ')})`,
      );
      return;
    }
    const region = provider.regions.find(r => r.name === pool.region);
    if (!region) {
      problems.push(
        `${where}: region "${pool.region}" is not a ${
          pool.provider
        } region (known: ${provider.regions.map(r => r.name).join(', ')})`,
      );
    } else if (!region.zones.includes(pool.zone)) {
      problems.push(
        `${where}: zone "${pool.zone}" is not in ${pool.provider} region ${
          pool.region
        } (known: ${region.zones.join(', ')})`,
      );
    }
    if (!provider.instanceTypes.some(t => t.name === pool.instanceType)) {
      problems.push(
        `${where}: instance type "${pool.instanceType}" is not a ${pool.provider} instance type`,
      );
    }
    if (pool.labels['cfke.io/provider'] !== undefined) {
      problems.push(
        `${where}: labels may not override cfke.io/provider (it comes from the registry)`,
      );
    }
  });
  return problems;
}

/** Reads, parses and validates an inventory file; throws listing every problem. */
export function loadInventory(file: string, providers: Provider[]): Inventory {
  const inventory = parseInventory(fs.readFileSync(file, 'utf8'), file);
  const problems = validateInventory(inventory, providers);
  if (problems.length > 0) {
    throw new Error(
      `${file} does not match the provider registry:\n  ${problems.join(
        '\n  ',
      )}`,
    );
  }
  return inventory;
}
