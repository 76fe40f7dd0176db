import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  copyWorkspace,
  describeWithValidator,
  REPO_ROOT,
  requireValidator,
  VALIDATOR,
} from '../__testUtils__/workspace';
import { runValidator, stopValidatorServers, validateTree } from './validator';

jest.setTimeout(120_000);

const crdDir = path.join(REPO_ROOT, '.cache', 'crds');
const run = (binary: string, treeRoot: string) => ({
  binary,
  treeRoot,
  crdDir,
  timeoutMs: 60_000,
});

afterEach(() => stopValidatorServers());

// The validator's serve process (schemas kept loaded, unchanged kustomize builds reused) must
// answer exactly what a one-shot run answers.
describeWithValidator()('validateTree (serve mode)', () => {
  beforeAll(() => {
    requireValidator();
  });
  const trees: string[] = [];
  afterAll(() =>
    trees.forEach(t => fs.rmSync(t, { recursive: true, force: true })),
  );

  it('finds what a one-shot run finds, on a clean tree and after a breaking change', async () => {
    const ws = copyWorkspace();
    trees.push(ws);
    const clean = await validateTree(run(VALIDATOR!, ws));
    expect(clean).toMatchObject({ ok: true, findings: [] });
    expect(clean.timings?.['kustomize-builds']).toBeGreaterThanOrEqual(0);

    const again = await validateTree(run(VALIDATOR!, ws));
    expect(again.ok).toBe(true);
    // Second run of the same tree: no schema load and every build reused.
    expect(again.timings?.['schemas-load']).toBeUndefined();
    expect(again.timings?.['builds-run']).toBe(0);

    // A Service with an unknown field in the Pi-hole base: a schema finding in both clusters.
    const base = path.join(ws, 'gitops', 'apps', 'pihole', 'base');
    const svc = fs
      .readdirSync(base)
      .map(f => path.join(base, f))
      .find(f => /\nkind: Service\n/.test(fs.readFileSync(f, 'utf8')))!;
    fs.writeFileSync(
      svc,
      fs
        .readFileSync(svc, 'utf8')
        .replace('spec:\n', 'spec:\n  bogusField: 1\n'),
    );
    const served = await validateTree(run(VALIDATOR!, ws));
    const oneShot = await runValidator(run(VALIDATOR!, ws));
    expect(served.ok).toBe(false);
    expect(served.findings.join('\n')).toMatch(/bogusField/);
    expect(served.findings).toEqual(oneShot.findings);
  });

  it('answers several queued requests in order', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => validateTree(run(VALIDATOR!, REPO_ROOT))),
    );
    expect(results.map(r => r.ok)).toEqual([true, true, true]);
  });
});

describe('validateTree fallbacks', () => {
  it('falls back to a one-shot run for a binary without -serve', async () => {
    // /bin/true exits at once without answering: the one-shot run (exit 0) decides.
    const r = await validateTree(run('/bin/true', os.tmpdir()));
    expect(r).toMatchObject({ ok: true, findings: [] });
    expect(r.timings).toBeUndefined();
  });

  it('fails clearly when the binary cannot run at all', async () => {
    await expect(
      validateTree(run('/nonexistent/gitops-validate', os.tmpdir())),
    ).rejects.toThrow(/gitops-validate failed to run/);
  });
});
