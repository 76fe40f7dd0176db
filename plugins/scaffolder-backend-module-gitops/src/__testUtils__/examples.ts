/* eslint-disable jest/no-export -- a suite builder: the test file that calls it runs its describe */
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs';
import { parse } from 'yaml';
import { createWorkloadCreateAction } from '../actions/workloadCreate';
import { PREPARE } from './actionInputs';
import { copyWorkspace, hashTree, mockContext } from './workspace';

type Outputs = Record<string, unknown>;

/** What an example run must show, beyond running without an error. */
export type ExampleCheck = (
  outputs: Outputs,
  workspacePath: string,
) => void | Promise<void>;

/**
 * A file-writing action's example: it wrote something, and running it again over the result
 * changes nothing (the actions are idempotent).
 */
export const writesOnceThenNothing =
  (action: TemplateAction<any, any, any>, input: Outputs): ExampleCheck =>
  async (outputs, ws) => {
    expect([
      ...(outputs.created as string[]),
      ...(outputs.changed as string[]),
    ]).not.toEqual([]);
    const before = hashTree(ws);
    const again = mockContext(ws, input);
    await action.handler(again.ctx);
    expect(again.outputs).toMatchObject({ created: [], changed: [] });
    expect(hashTree(ws)).toBe(before);
  };

/** A copy of the tree holding the workload `notes` that most examples extend. */
export async function workspaceWithNotes(): Promise<string> {
  const ws = copyWorkspace();
  await createWorkloadCreateAction().handler(mockContext(ws, PREPARE).ctx);
  return ws;
}

/**
 * Runs every example the action shows in the UI: each parses as template steps, calls the
 * action with inputs its schema declares, and runs (through `createMockActionContext`) over a
 * fresh workspace from `workspace`; `check` then judges each step's outputs (by default:
 * `writesOnceThenNothing`).
 */
export function describeExamples(
  action: TemplateAction<any, any, any>,
  opts: {
    workspace: () => string | Promise<string>;
    check?: (input: Outputs) => ExampleCheck;
  },
) {
  const examples = action.examples ?? [];
  describe(`${action.id} examples`, () => {
    it('has at least one', () => {
      expect(examples.length).toBeGreaterThan(0);
    });

    it.each(examples.map(ex => [ex.description, ex] as const))(
      '%s',
      async (_, ex) => {
        const steps = (
          parse(ex.example).steps as {
            action: string;
            input: Outputs;
          }[]
        ).filter(s => s.action === action.id);
        expect(steps).not.toEqual([]);
        const declared = Object.keys(
          (action.schema?.input as any)?.properties ?? {},
        );
        const ws = await opts.workspace();
        try {
          for (const step of steps) {
            for (const key of Object.keys(step.input))
              expect(declared).toContain(key);
            const m = mockContext(ws, step.input);
            await action.handler(m.ctx);
            const check =
              opts.check?.(step.input) ??
              writesOnceThenNothing(action, step.input);
            await check(m.outputs, ws);
          }
        } finally {
          fs.rmSync(ws, { recursive: true, force: true });
        }
      },
    );
  });
}
