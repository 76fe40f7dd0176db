import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseYamlDocuments } from './YamlDocumentCache';
import { YamlParsePool } from './YamlParsePool';

describe('YamlParsePool', () => {
  it('answers each of many parses sent to one worker at once with its own documents', async () => {
    const pool = new YamlParsePool({ size: 1 });
    try {
      const texts = Array.from(
        { length: 25 },
        (_, i) => `---\nn: ${i}\n---\nlist: [${i}, ${i + 1}]\n`,
      );
      const answers = await Promise.all(texts.map(t => pool.parse(t)));
      expect(answers).toEqual(
        texts.map((_, i) => ({ docs: [{ n: i }, { list: [i, i + 1] }] })),
      );
      // A broken text among them is its own answer, not its neighbours'.
      const mixed = await Promise.all([
        pool.parse('a: 1\n'),
        pool.parse('a: [\n'),
        pool.parse('b: 2\n'),
      ]);
      expect(mixed[0]).toEqual({ docs: [{ a: 1 }] });
      expect(mixed[1].error).toMatch(/invalid YAML/);
      expect(mixed[2]).toEqual({ docs: [{ b: 2 }] });
    } finally {
      await pool.close();
    }
  });

  it('sends what waits to a worker in one message and answers every request of it with its own look', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parse-pool-'));
    const pool = new YamlParsePool({ size: 1 });
    const sent = jest.spyOn(Worker.prototype, 'postMessage');
    try {
      const names = Array.from({ length: 40 }, (_, i) => `f${i}.yaml`);
      names.forEach((n, i) =>
        fs.writeFileSync(path.join(dir, n), `i: ${i}\nlist: [${i}]\n`),
      );
      fs.mkdirSync(path.join(dir, 'sub'));
      const known = fs.statSync(path.join(dir, 'f0.yaml'));
      const looks = await Promise.all([
        ...names.map(n => pool.look(path.join(dir, n))),
        pool.look(path.join(dir, 'missing.yaml')),
        pool.look(path.join(dir, 'sub')),
        pool.look(path.join(dir, 'f0.yaml'), {
          size: known.size,
          mtimeMs: known.mtimeMs,
        }),
      ]);
      names.forEach((_, i) => {
        expect(looks[i]?.parsed).toEqual({ docs: [{ i, list: [i] }] });
        expect(looks[i]?.hash).toMatch(/^[0-9a-f]{64}$/);
      });
      expect(looks[40]).toEqual({ stat: null });
      expect(looks[41]?.stat?.kind).toBe('directory');
      // Unchanged by size and modification time: looked at, not read.
      expect(looks[42]).toEqual({
        stat: { kind: 'file', size: known.size, mtimeMs: known.mtimeMs },
      });
      // The first request goes alone; what waited meanwhile goes in a few batches.
      expect(sent.mock.calls.length).toBeGreaterThan(1);
      expect(sent.mock.calls.length).toBeLessThan(looks.length / 4);
    } finally {
      sent.mockRestore();
      await pool.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers every request of a batch in the main thread when its worker ends mid-batch', async () => {
    const pool = new YamlParsePool({ size: 1 });
    try {
      const texts = Array.from(
        { length: 30 },
        (_, i) => `n: ${i}\ns: "${'x'.repeat(i)}"\n`,
      );
      const answers = Promise.all(texts.map(t => pool.parse(t)));
      // End the worker while it holds a batch.
      const workers = (pool as any).workers as Array<{ worker: Worker }>;
      expect(workers.length).toBe(1);
      await workers[0].worker.terminate();
      expect(await answers).toEqual(texts.map(t => parseYamlDocuments(t)));
      // The pool parses in the main thread from then on.
      expect(await pool.parse('a: 1\n')).toEqual({ docs: [{ a: 1 }] });
    } finally {
      await pool.close();
    }
  });
});
