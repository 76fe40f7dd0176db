import { BoundedClient, PageRequest, RequestOutcome } from './boundedClient';
import { LatencySummary, summarize } from './stats';

/** An entity page: the requests its tabs and cards make, issued together as the browser does. */
export interface EntityPage {
  entity: string;
  requests: PageRequest[];
}

/** One page load: its latency (first request issued → last answer complete) and its requests. */
export interface PageOutcome {
  entity: string;
  ms: number;
  requests: RequestOutcome[];
}

/** Loads one page: all its requests at once, done when the last one is. */
export async function loadPage(
  client: BoundedClient,
  page: EntityPage,
): Promise<PageOutcome> {
  const started = performance.now();
  const requests = await Promise.all(page.requests.map(r => client.get(r)));
  return { entity: page.entity, ms: performance.now() - started, requests };
}

/** A seeded uniform generator in [0, 1) (mulberry32): the same run draws the same think times. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponentially distributed think time with mean `meanMs` (0 → no think time). */
export function thinkTime(random: () => number, meanMs: number): number {
  return meanMs > 0 ? -Math.log(1 - random()) * meanMs : 0;
}

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** The idle figure: `rounds` × every page, one page load at a time. */
export async function sequentialLoads(
  client: BoundedClient,
  pages: EntityPage[],
  rounds: number,
): Promise<PageOutcome[]> {
  const out: PageOutcome[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const page of pages) out.push(await loadPage(client, page));
  }
  return out;
}

/** The virtual-user model of one phase. */
export interface UserModel {
  users: number;
  durationMs: number;
  /** Mean of the exponential think time between a user's page loads; 0 = back to back. */
  thinkMeanMs: number;
  seed: number;
}

/**
 * `users` virtual users, each in a loop until the duration ends: load a page (cycling through
 * the entities, each user from a different one), then think. With a think time, each user also
 * starts after one, so arrivals are spread as in steady state rather than all at t = 0. Pages
 * started before the end are awaited, so every request sent is accounted for.
 */
export async function virtualUsers(
  client: BoundedClient,
  pages: EntityPage[],
  model: UserModel,
): Promise<{ pages: PageOutcome[]; elapsedMs: number }> {
  const random = seededRandom(model.seed);
  const started = performance.now();
  const end = started + model.durationMs;
  const out: PageOutcome[] = [];
  await Promise.all(
    Array.from({ length: model.users }, async (_, user) => {
      await sleep(thinkTime(random, model.thinkMeanMs));
      for (let i = user; performance.now() < end; i++) {
        out.push(await loadPage(client, pages[i % pages.length]));
        const think = thinkTime(random, model.thinkMeanMs);
        if (think > 0) await sleep(think);
      }
    }),
  );
  return { pages: out, elapsedMs: performance.now() - started };
}

/** Latency figures of a phase: whole pages, per route, per entity; and what went wrong. */
export interface PhaseFigures {
  pages: LatencySummary;
  routes: Record<string, LatencySummary>;
  entities: Record<string, LatencySummary>;
  requests: number;
  failures: RequestOutcome[];
  /** Pages per second over the phase (when its duration is known). */
  pagesPerSecond?: number;
}

/** Figures of a list of page loads. */
export function phaseFigures(
  outcomes: PageOutcome[],
  elapsedMs?: number,
): PhaseFigures {
  const group = (
    key: (o: PageOutcome) => string[],
    ms: (o: PageOutcome) => number[],
  ) => {
    const by = new Map<string, number[]>();
    for (const o of outcomes) {
      const keys = key(o);
      const values = ms(o);
      keys.forEach((k, i) => {
        const list = by.get(k) ?? [];
        list.push(values[i]);
        by.set(k, list);
      });
    }
    return Object.fromEntries(
      [...by].map(([k, v]) => [k, summarize(v)] as const),
    );
  };
  const requests = outcomes.flatMap(o => o.requests);
  return {
    pages: summarize(outcomes.map(o => o.ms)),
    routes: group(
      o => o.requests.map(r => r.route),
      o => o.requests.map(r => r.ms),
    ),
    entities: group(
      o => [o.entity],
      o => [o.ms],
    ),
    requests: requests.length,
    failures: requests.filter(r => r.error || r.problem),
    pagesPerSecond:
      elapsedMs !== undefined
        ? outcomes.length / (elapsedMs / 1000)
        : undefined,
  };
}
