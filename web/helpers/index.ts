/**
 * The view-helper registry: one helper per file, registered here by name. A duplicate or missing
 * name fails at start-up. Helpers returning a SafeString escape their inputs themselves.
 */
import type Handlebars from 'handlebars';
import { num } from './num.js';
import { pct } from './pct.js';
import { signed } from './signed.js';
import { date } from './date.js';
import { highlight } from './highlight.js';
import { eq } from './eq.js';
import { humanize } from './humanize.js';

type Helper = (...args: unknown[]) => unknown;

/** Every helper, by the name templates use. */
export const HELPERS: ReadonlyArray<[string, Helper]> = [
  ['num', num as Helper],
  ['pct', pct as Helper],
  ['signed', signed as Helper],
  ['date', date as Helper],
  ['highlight', highlight as Helper],
  ['eq', eq as Helper],
  ['humanize', humanize as Helper],
];

/** Registers every helper on a Handlebars instance; throws on a duplicate name. */
export function registerHelpers(hbs: typeof Handlebars): void {
  const seen = new Set<string>();
  for (const [name, fn] of HELPERS) {
    if (seen.has(name)) throw new Error(`web: helper '${name}' registered twice`);
    seen.add(name);
    // Handlebars passes its `options` object last; helpers ignore it (a missing arg becomes that object).
    hbs.registerHelper(name, (...args: unknown[]) => fn(...args.slice(0, -1)));
  }
}
