/**
 * `{{#if (eq a b)}}`: strict equality for templates (e.g. the selected option of a menu).
 */
/** True when both values are identical. */
export function eq(a: unknown, b: unknown): boolean {
  return a === b;
}
