import { InputError } from '@backstage/errors';
import { ChangeSet } from './ChangeSet';

/** Stages a file the action owns: created when absent, untouched when identical, else refused. */
export async function stageOwnedFile(
  cs: ChangeSet,
  file: string,
  content: string,
  field: string,
) {
  const existing = await cs.read(file, field);
  if (existing === undefined) await cs.write(file, content, field);
  else if (existing !== content) {
    throw new InputError(
      `${field}: ${file} already exists with different content (the name is taken; choose another or edit it by hand)`,
    );
  }
}
