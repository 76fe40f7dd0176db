/**
 * The ETag each answer came with, kept beside the parsed answer (not in it: the answer's shape is
 * the shared schema's). A live page compares it with a signal's version: equal means the page
 * already shows that version and fetches nothing (docs/adr/0503-live-pages.md).
 */
const versions = new WeakMap<object, string>();

/** Records the ETag `answer` was served with. */
export function rememberAnswerVersion(answer: unknown, etag: string | null) {
  if (etag && typeof answer === 'object' && answer !== null) {
    versions.set(answer, etag);
  }
}

/** The ETag `answer` was served with, if the response had one the page could read. */
export function answerVersion(answer: unknown): string | undefined {
  return typeof answer === 'object' && answer !== null
    ? versions.get(answer)
    : undefined;
}
