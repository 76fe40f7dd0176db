import { parse } from 'yaml';
import { createActions } from '.';

// Every example shown in the UI parses, names its own action, and its input passes the
// action's schema (the same JSON Schema the scaffolder validates against).
describe('action examples', () => {
  const actions = createActions({
    publish: 'local',
    defaultBranch: 'main',
    validatorTimeoutSeconds: 120,
  });
  it.each(actions.map(a => [a.id, a] as const))('%s', (id, action) => {
    expect(action.examples?.length).toBeGreaterThan(0);
    for (const ex of action.examples ?? []) {
      const steps = parse(ex.example).steps as {
        action: string;
        input: Record<string, unknown>;
      }[];
      expect(steps.map(s => s.action)).toContain(id);
      const props = Object.keys(
        (action.schema?.input as any)?.properties ?? {},
      );
      for (const s of steps)
        for (const key of Object.keys(s.input)) expect(props).toContain(key);
    }
  });
});
