import fs from 'node:fs';
import path from 'node:path';
import { createActions } from '.';

const actions = createActions({
  publish: 'local',
  defaultBranch: 'main',
  validatorTimeoutSeconds: 120,
});

/** `cloudlab:flux-kustomization:create` → `fluxKustomizationCreate`. */
const fileName = (id: string) =>
  id
    .split(':')
    .slice(1)
    .join('-')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const source = (name: string) =>
  fs.readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');

// One file per action named after its id, with its examples and its test beside it; helpers
// live in lib/, so an action file never imports another action's file.
describe.each(actions.map(a => [a.id, fileName(a.id)]))(
  '%s lives in actions/%s.ts',
  (id, name) => {
    it('which exports its factory and has .examples.ts and .test.ts', () => {
      const factory = `create${name[0].toUpperCase()}${name.slice(1)}Action`;
      expect(source(name)).toContain(`export function ${factory}(`);
      expect(source(name)).toContain(`id: '${id}'`);
      for (const suffix of ['examples', 'test'])
        expect(
          fs.existsSync(path.join(__dirname, `${name}.${suffix}.ts`)),
        ).toBe(true);
    });

    it('which imports no other action file', () => {
      const local = [...source(name).matchAll(/from '\.\/([^']+)'/g)].map(
        m => m[1],
      );
      expect(local.filter(f => f !== `${name}.examples`)).toEqual([]);
    });
  },
);

it('every action file in actions/ is registered', () => {
  const files = fs
    .readdirSync(__dirname)
    .filter(f => /^[a-zA-Z]+\.ts$/.test(f) && f !== 'index.ts')
    .map(f => f.replace(/\.ts$/, ''));
  expect(files.sort()).toEqual(actions.map(a => fileName(a.id)).sort());
});
