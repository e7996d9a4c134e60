/**
 * Exact prefilters for groups of regular expressions run on the same text.
 *
 * A large alternation such as /\b(?:just heard|never heard of|…)/ costs its engine a try of every
 * alternative at every word boundary. A RegexGroup reads, once, the literal text every match of each
 * expression must start with ("just heard", "never heard ", …, up to MAX_PREFIX characters), walks
 * the word starts of a text through a trie of those starts, and runs only the expressions one of
 * whose starts occurs. The expression itself still decides, so the answers are exactly those of
 * running every expression: the prefilter only skips expressions that cannot match. An expression it
 * cannot read (a match may start with \w, a large character class, an empty alternative, or not
 * after \b) is always run.
 */

/** Characters of literal start read per alternative (longer is more selective, more entries). */
const MAX_PREFIX = 12;
/** A character class with at most this many characters is expanded (e.g. \d); a larger one stops the prefix. */
const MAX_CLASS = 10;

type Atom =
  | { t: 'chars'; chars: string[] | null } // one character from the list (null: any character)
  | { t: 'group'; alts: Item[][] }
  | { t: 'zero'; boundary: boolean }; // assertion or lookaround: consumes nothing (boundary: \b)
interface Item {
  atom: Atom;
  min: number;
  max: number;
}

class Unsupported extends Error {}

const DIGITS = '0123456789'.split('');

/** Parses the subset of regular-expression syntax the prefilter reads (throws Unsupported otherwise). */
function parse(src: string): Item[][] {
  let i = 0;
  function alternatives(): Item[][] {
    const alts: Item[][] = [sequence()];
    while (src[i] === '|') {
      i++;
      alts.push(sequence());
    }
    return alts;
  }
  function sequence(): Item[] {
    const items: Item[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      const atom = parseAtom();
      let min = 1;
      let max = 1;
      const q = src[i];
      if (q === '?' || q === '*' || q === '+') {
        i++;
        min = q === '+' ? 1 : 0;
        max = q === '?' ? 1 : Infinity;
      } else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
        if (!m) throw new Unsupported('quantifier');
        i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      }
      if (src[i] === '?' && (q === '?' || q === '*' || q === '+' || q === '{')) i++; // lazy
      if (atom.t === 'zero' && min === 0) continue; // an optional assertion asserts nothing
      items.push({ atom, min, max });
    }
    return items;
  }
  function parseAtom(): Atom {
    const c = src[i] as string;
    if (c === '(') {
      i++;
      let zero = false;
      if (src.startsWith('?:', i)) i += 2;
      else if (src.startsWith('?=', i) || src.startsWith('?!', i)) {
        i += 2;
        zero = true;
      } else if (src.startsWith('?<=', i) || src.startsWith('?<!', i)) {
        i += 3;
        zero = true;
      } else if (src[i] === '?') throw new Unsupported('group');
      const alts = alternatives();
      if (src[i] !== ')') throw new Unsupported('unbalanced');
      i++;
      return zero ? { t: 'zero', boundary: false } : { t: 'group', alts };
    }
    if (c === '[') return charClass();
    if (c === '\\') {
      const e = src[i + 1] as string;
      i += 2;
      if (e === 'b' || e === 'B') return { t: 'zero', boundary: e === 'b' };
      if (e === 'd') return { t: 'chars', chars: DIGITS };
      if (/[wWsSD]/.test(e)) return { t: 'chars', chars: null };
      if (/[0-9cxukpPtnrfv]/.test(e)) throw new Unsupported(`escape \\${e}`);
      return { t: 'chars', chars: [e] };
    }
    if (c === '^' || c === '$') {
      i++;
      return { t: 'zero', boundary: false };
    }
    if (c === '.') {
      i++;
      return { t: 'chars', chars: null };
    }
    if (c === '*' || c === '+' || c === '?' || c === '{' || c === '}' || c === ']') throw new Unsupported('syntax');
    i++;
    return { t: 'chars', chars: [c] };
  }
  function charClass(): Atom {
    i++; // [
    const negated = src[i] === '^';
    if (negated) i++;
    const chars: string[] = [];
    let any = negated;
    let first = true;
    while (i < src.length && (src[i] !== ']' || first)) {
      first = false;
      const c = src[i] as string;
      if (c === '\\') {
        const e = src[i + 1] as string;
        i += 2;
        if (e === 'd') chars.push(...DIGITS);
        else if (/[wWsSDbBcxukpPtnrfv0-9]/.test(e)) any = true;
        else chars.push(e);
        continue;
      }
      i++;
      if (src[i] === '-' && src[i + 1] !== ']' && src[i + 1] !== undefined) {
        const to = src[i + 1] as string;
        if (to === '\\') throw new Unsupported('range');
        i += 2;
        const a = c.charCodeAt(0);
        const b = to.charCodeAt(0);
        if (b - a + 1 > MAX_CLASS) any = true;
        else for (let k = a; k <= b; k++) chars.push(String.fromCharCode(k));
        continue;
      }
      chars.push(c);
    }
    if (src[i] !== ']') throw new Unsupported('class');
    i++;
    return { t: 'chars', chars: any || chars.length > MAX_CLASS ? null : [...new Set(chars)] };
  }
  const alts = alternatives();
  if (i !== src.length) throw new Unsupported('trailing');
  return alts;
}

/** What follows the items being read: the rest of enclosing sequences, innermost first. */
interface Cont {
  items: Item[];
  k: number;
  next: Cont | null;
}

/** A place in the expression that reads one character, one of `chars`, and goes on at `next` (null: the match may end). */
interface Reader {
  chars: string[];
  next: Cont | null;
}

/**
 * Collects the readers reachable from items[k…] followed by `cont` without reading a character.
 * Returns true when a match may also end there or read any character (the start is open).
 */
function closure(items: Item[], k: number, cont: Cont | null, readers: Reader[]): boolean {
  for (;;) {
    if (k === items.length) {
      if (cont === null) return true;
      ({ items, k, next: cont } = cont);
      continue;
    }
    const item = items[k] as Item;
    const { atom } = item;
    if (atom.t === 'zero') {
      k++;
      continue;
    }
    // Skipping an optional item.
    let open = item.min === 0 && closure(items, k + 1, cont, readers);
    // Taking it once: what follows is read only when the item cannot repeat.
    const rest: Cont | null = item.max === 1 ? { items, k: k + 1, next: cont } : null;
    if (atom.t === 'chars') {
      if (atom.chars === null) return true;
      readers.push({ chars: atom.chars, next: rest });
      return open;
    }
    for (const alt of atom.alts) if (closure(alt, 0, rest, readers)) open = true;
    return open;
  }
}

/**
 * Walks the literal starts of at most `budget` characters, depth first, from the readers reached after
 * `prefix`: a start ends where a match may end or read anything, or at the budget.
 */
function walkStarts(prefix: string, readers: Reader[], budget: number, out: string[]): void {
  if (prefix.length === budget) {
    out.push(prefix);
    return;
  }
  const byChar = new Map<string, Array<Cont | null>>();
  for (const r of readers) {
    for (const c of r.chars) {
      const list = byChar.get(c);
      if (list === undefined) byChar.set(c, [r.next]);
      else list.push(r.next);
    }
  }
  for (const [c, nexts] of byChar) {
    const next: Reader[] = [];
    let open = false;
    for (const n of nexts) if (n === null || closure(n.items, n.k, n.next, next)) open = true;
    if (open) out.push(prefix + c);
    else walkStarts(prefix + c, next, budget, out);
  }
}

/** What the prefilter knows of one expression. */
interface Starts {
  /** Literal starts, one of which begins every match (no start is a prefix of another). */
  list: string[];
  /** Every match begins at a word start: after \b, with one of [A-Za-z0-9_]. */
  wordStart: boolean;
}

const WORD_CHAR = /^[A-Za-z0-9_]/;

function readStarts(re: RegExp, maxPrefix: number): Starts | null {
  if (/[imsuvy]/.test(re.flags)) return null;
  let alts: Item[][];
  try {
    alts = parse(re.source);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  // The starts, shortest first where one would begin another (a longer one would add nothing).
  const readers: Reader[] = [];
  let open = false;
  for (const alt of alts) if (closure(alt, 0, null, readers)) open = true;
  if (open) return null;
  const list: string[] = [];
  walkStarts('', readers, maxPrefix, list);
  // Every alternative asserts \b before it reads a character (among its leading assertions).
  const boundaryFirst = alts.every((alt) => {
    for (const item of alt) {
      if (item.atom.t !== 'zero') return false;
      if (item.atom.boundary && item.min === 1) return true;
    }
    return false;
  });

  return { list, wordStart: boundaryFirst && list.every((s) => WORD_CHAR.test(s)) };
}

/**
 * The literal starts every match of `re` begins with, or null when a match may begin with anything
 * (or the expression uses syntax the prefilter does not read, or flags that change matching).
 */
export function literalStarts(re: RegExp, maxPrefix = MAX_PREFIX): string[] | null {
  return readStarts(re, maxPrefix)?.list ?? null;
}

const isWordCode = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/**
 * A group of regular expressions tested against the same text: test(text) answers, per expression,
 * exactly what re.test(text) answers (expressions with the g or y flag are refused: their lastIndex
 * would make the answer depend on earlier calls).
 */
export class RegexGroup {
  /** Expressions that are always run. */
  private readonly always: number[] = [];
  /**
   * Trie of the literal starts, compact (a table per node would be hundreds of KB, mostly empty):
   * the root's children by character code (ASCII) in rootNext, every other node's children as a run
   * of edges edgeChar/edgeNode from edgeStart[node] to edgeStart[node + 1]. Node 0 is the root; 0 as
   * a child means none.
   */
  private readonly rootNext = new Int32Array(128);
  private readonly edgeStart: Int32Array;
  private readonly edgeChar: Uint8Array;
  private readonly edgeNode: Int32Array;
  /** Expressions one of whose starts ends at the node. */
  private readonly accept: Array<number[] | undefined>;
  private readonly marks: Uint8Array;
  /** No expression has the g or y flag (test() would depend on their lastIndex). */
  private testable = true;

  constructor(
    private readonly res: RegExp[],
    maxPrefix = MAX_PREFIX,
  ) {
    this.marks = new Uint8Array(res.length);
    const indexed: Array<[string, number]> = [];
    res.forEach((re, idx) => {
      if (re.global || re.sticky) this.testable = false;
      const read = readStarts(re, maxPrefix);
      // Only word starts are walked, and starts are ASCII: an expression that may match elsewhere, or
      // with a non-ASCII start, is always run.
      if (read === null || !read.wordStart || read.list.some((x) => !/^[\x00-\x7f]+$/.test(x))) {
        this.always.push(idx);
        return;
      }
      for (const x of read.list) indexed.push([x, idx]);
    });
    // Build with Maps, then lay out the edges node by node.
    const children: Array<Map<number, number>> = [new Map()];
    const accept: Array<number[] | undefined> = [undefined];
    for (const [x, idx] of indexed) {
      let node = 0;
      for (let k = 0; k < x.length; k++) {
        const c = x.charCodeAt(k);
        const kids = children[node] as Map<number, number>;
        let child = kids.get(c);
        if (child === undefined) {
          child = children.length;
          kids.set(c, child);
          children.push(new Map());
          accept.push(undefined);
        }
        node = child;
      }
      const list = (accept[node] ??= []);
      if (!list.includes(idx)) list.push(idx);
    }
    let edges = 0;
    for (let node = 1; node < children.length; node++) edges += (children[node] as Map<number, number>).size;
    this.edgeStart = new Int32Array(children.length + 1);
    this.edgeChar = new Uint8Array(edges);
    this.edgeNode = new Int32Array(edges);
    for (const [c, child] of children[0] as Map<number, number>) this.rootNext[c] = child;
    let e = 0;
    for (let node = 0; node < children.length; node++) {
      this.edgeStart[node] = e;
      if (node === 0) continue;
      for (const [c, child] of children[node] as Map<number, number>) {
        this.edgeChar[e] = c;
        this.edgeNode[e] = child;
        e++;
      }
    }
    this.edgeStart[children.length] = e;
    this.accept = accept;
  }

  /** Expressions run on every text (their starts could not be read); for tests. */
  get unfiltered(): number {
    return this.always.length;
  }

  /**
   * Per expression (in order), 1 when it may match `text` (one of its literal starts occurs at a place
   * a match could begin, or its starts are unknown), 0 when it cannot match. The array is reused by
   * the next call. Any flags are fine here: this is a necessary condition for a match anywhere.
   */
  candidates(text: string): Uint8Array {
    const marks = this.marks;
    marks.fill(0);
    for (const idx of this.always) marks[idx] = 1;
    const n = text.length;
    const { rootNext, edgeStart, edgeChar, edgeNode, accept } = this;
    let prevWord = false;
    for (let p = 0; p < n; p++) {
      const c = text.charCodeAt(p);
      // A word start: where a match of \b followed by [A-Za-z0-9_] can begin.
      const word = isWordCode(c);
      const start = word && !prevWord;
      prevWord = word;
      if (!start) continue;
      let node = rootNext[c] as number;
      for (let q = p + 1; node !== 0; q++) {
        const list = accept[node];
        if (list !== undefined) for (const idx of list) marks[idx] = 1;
        if (q >= n) break;
        const d = text.charCodeAt(q);
        const end = edgeStart[node + 1] as number;
        let next = 0;
        for (let e = edgeStart[node] as number; e < end; e++) {
          if (edgeChar[e] === d) {
            next = edgeNode[e] as number;
            break;
          }
        }
        node = next;
      }
    }
    return marks;
  }

  /**
   * Per expression (in order), 1 when it matches `text`, else 0. The array is reused by the next call.
   * Only expressions one of whose literal starts occurs in the text are run. Expressions with the g or
   * y flag are refused (their lastIndex would make the answer depend on earlier calls).
   */
  test(text: string): Uint8Array {
    if (!this.testable) throw new Error('RegexGroup.test: an expression has the g or y flag (use candidates())');
    const marks = this.candidates(text);
    for (let idx = 0; idx < marks.length; idx++) if (marks[idx] === 1 && !(this.res[idx] as RegExp).test(text)) marks[idx] = 0;
    return marks;
  }
}
