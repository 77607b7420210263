/**
 * Escaping for text and attribute values interpolated into the report's HTML and inline SVG.
 *
 * Every string that reaches the document from the caller (titles, class names, summary keys and
 * values, dataset names) goes through {@link escapeHtml}; the renderers never build markup from
 * unescaped input, so a class name such as `<script>` shows up as text.
 */

const replacements: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes `& < > " '` so the result is safe both as element text and inside a quoted attribute
 * value, in HTML and in SVG.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>'); // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => replacements[ch] ?? ch);
}
