/**
 * A code span for generated Markdown reference pages, as HTML with entities: a pattern may hold
 * `<![` (read as the start of a CDATA section even inside a code span) or `[a-z]([-a-z]*)` (read
 * as a link, which a strict TechDocs build rejects); `*`, `_` and `\\` would be read as emphasis and
 * escapes, and prettier would rewrite them.
 *
 * @public
 */
export function htmlCode(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\[/g, '&#91;')
    .replace(/\]/g, '&#93;')
    .replace(/\\/g, '&#92;')
    .replace(/\*/g, '&#42;')
    .replace(/_/g, '&#95;');
  return `<code>${escaped}</code>`;
}
