/**
 * Turns a brand query (Earshot's query language: words, "phrases", @handles, #hashtags, AND / OR / NOT /
 * NEAR/n, parentheses, wildcards) into the plain terms a service search understands. Services support far
 * less than the language, so the search is widened to "any of these terms" and the full query is applied
 * to each item afterwards (collectors/run.ts).
 *
 * Kept: words and phrases on the positive side. Dropped: operators, anything under NOT, a trailing `*`
 * (`deliver*` → `deliver`), terms with `?`, the @/# prefix (`@spotify` → `spotify`). Duplicates (case
 * folded) are removed, aliases are appended.
 */

/** The positive search terms of `query` plus `aliases`, de-duplicated, in order of appearance. */
export function searchTermsOf(query: string, aliases: string[] = [], brandName?: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (t: string): void => {
    const term = t.replace(/^[@#]/, '').replace(/\*+$/, '').replace(/\s+/g, ' ').trim();
    if (term.length < 2 || term.includes('?') || term.includes('*')) return;
    const k = term.toLowerCase();
    if (seen.has(k)) return;
    seen.add(k);
    out.push(term);
  };
  const tokens = query.match(/"[^"]*"|\(|\)|[^\s()"]+/g) ?? [];
  // depth at which a NOT started; everything at or below it until the operand ends is skipped
  let negateNext = false;
  let negDepth = -1;
  let depth = 0;
  for (const tok of tokens) {
    if (tok === '(') {
      if (negateNext) {
        negDepth = depth;
        negateNext = false;
      }
      depth++;
      continue;
    }
    if (tok === ')') {
      depth--;
      if (negDepth >= 0 && depth <= negDepth) negDepth = -1;
      continue;
    }
    if (tok === 'AND' || tok === 'OR' || /^NEAR\/\d+$/.test(tok)) continue;
    if (tok === 'NOT') {
      negateNext = true;
      continue;
    }
    if (negDepth >= 0) continue;
    if (negateNext) {
      negateNext = false;
      continue;
    }
    add(tok.startsWith('"') ? tok.slice(1, -1) : tok);
  }
  for (const a of aliases) add(a);
  if (out.length === 0 && brandName) add(brandName);
  return out;
}

/** `a OR "b c" OR d`: for services that take OR (Reddit, Stack Exchange `q`, YouTube search). */
export function orQuery(terms: string[], quote = '"'): string {
  return terms.map((t) => (/\s/.test(t) ? `${quote}${t}${quote}` : t)).join(' OR ');
}

/** The brands a search source searches for: only its own brand when it has one, else every brand. */
export function brandsToSearch<B extends { name: string }>(brands: B[], sourceBrand: string | null): B[] {
  return sourceBrand ? brands.filter((b) => b.name === sourceBrand) : brands;
}

/** Compares two numeric id strings (snowflakes longer than 2^53) without losing precision. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
