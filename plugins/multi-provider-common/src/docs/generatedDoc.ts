/**
 * The command that regenerates every generated reference page (the root package's script).
 *
 * @public
 */
export const REGENERATE_DOCS_COMMAND = 'yarn docs:generate';

/**
 * Whether a generated-doc test writes the file before it compares: only when asked with
 * `CLOUDLAB_WRITE_DOCS` (what `yarn docs:generate` sets), and never in CI, where the check must
 * compare the committed file only: a check that writes what it compares cannot fail.
 *
 * @public
 */
export function shouldWriteGeneratedDocs(
  env: Record<string, string | undefined>,
): boolean {
  if (!env.CLOUDLAB_WRITE_DOCS) return false;
  if (env.CI) {
    throw new Error(
      `CLOUDLAB_WRITE_DOCS is refused when CI is set: in CI the doc checks compare only. Regenerate outside CI with \`${REGENERATE_DOCS_COMMAND}\` and commit the result.`,
    );
  }
  return true;
}

/**
 * Why a committed generated file is stale (undefined when it matches): the first line that
 * differs and the command that regenerates it.
 *
 * @public
 */
export function generatedDocProblem(
  file: string,
  committed: string | undefined,
  expected: string,
): string | undefined {
  if (committed === expected) return undefined;
  const fix = `regenerate it with \`${REGENERATE_DOCS_COMMAND}\` and commit it`;
  if (committed === undefined) return `${file} is missing: ${fix}`;
  const have = committed.split('\n');
  const want = expected.split('\n');
  let i = 0;
  while (i < have.length && have[i] === want[i]) i++;
  return `${file} is not what the current schemas generate (line ${
    i + 1
  }: committed ${JSON.stringify(have[i] ?? '')}, generated ${JSON.stringify(
    want[i] ?? '',
  )}): ${fix}`;
}

/**
 * The comment that opens a generated page: what it is generated from, the command that
 * regenerates it, and the test (`checkedBy`, a path in its package) that fails when it is stale.
 *
 * @public
 */
export function generatedNotice(what: string, checkedBy: string): string[] {
  return [
    `<!-- GENERATED from ${what} by \`${REGENERATE_DOCS_COMMAND}\` - do not edit.`,
    `     ${checkedBy} fails when this file is stale. -->`,
    '',
  ];
}
