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
});
