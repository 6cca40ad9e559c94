/**
 * Text from files (NPY headers, NPZ member names, layer names, CSV labels) reaches terminals and
 * error banners inside messages. Raw, an ESC sequence in it retitles the window or clears the
 * screen, a bidi override reorders what is read, a newline forges a second line. `printable` makes
 * such text safe to print: one line, every control or invisible character written as an escape.
 */

/** C0 and C1 controls, DEL, zero-width and bidi formatting characters, line/paragraph separators, the BOM. */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's purpose
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

function escapeCharacter(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * One printable line: line breaks (with the indentation around them) and tabs become one space, other
 * control and invisible characters `\xNN`/`\uNNNN`, and text past `maxLength` ends in `…`.
 * Idempotent, so text escaped on one side of a boundary can pass through it again unchanged.
 */
export function printable(text: string, maxLength = Infinity): string {
  const line = text
    .replace(/\t/g, ' ')
    .replace(/[ \t]*(?:\r\n|[\r\n\u2028\u2029])[ \t\r\n\u2028\u2029]*/g, ' ')
    .replace(UNPRINTABLE, escapeCharacter)
    .trim();
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
