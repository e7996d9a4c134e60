/**
 * Brand query language: compiled once, matched fast against folded text.
 *
 * Grammar (operators are upper-case; anything else is a search term):
 *
 *   query   := or
 *   or      := and ( "OR" and )*
 *   and     := near ( ["AND"] near )*          adjacent terms are AND-ed implicitly
 *   near    := unary ( "NEAR/" n unary )* at most n words between the two sides
 *   unary   := "NOT" unary | primary
 *   primary := "(" or ")" | "\"exact phrase\"" | term
 *
 * Terms:
 *   acme        the word "acme" anywhere, also as @acme or #acme
 *   @acme       only the handle @acme          #acme   only the hashtag #acme
 *   deliver*    any word starting "deliver" (`*` = any letters, `?` = one letter)
 *   t-mobile    a term with punctuation inside is the phrase "t mobile"
 * Matching folds case and diacritics on both sides ("Café" matches cafe). Aliases given with the
 * query behave as `(query) OR "alias 1" OR "alias 2"`.
 *
 * Precedence, highest first: NOT, NEAR/n, AND (explicit or implicit), OR.
 * Errors are QuerySyntaxError with the 0-based character `position` in the query.
 */
import { RangeTable } from './intern.js';
import { fold } from './text.js';

/** A query that failed to parse; `position` is the 0-based character offset in the query. */
export class QuerySyntaxError extends Error {
  /** 0-based offset of the problem in the query string. */
  readonly position: number;
  override readonly name = 'QuerySyntaxError';
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.position = position;
  }
}

/** A compiled brand query. */
export interface CompiledQuery {
  /** The query source, as given. */
  readonly source: string;
  /** True when the text matches. Accepts raw text (folded internally). */
  match(text: string): boolean;
  /** Same as match() for a document already prepared with prepareDoc() (shared across brands). */
  matchDoc(doc: QueryDoc): boolean;
  /**
   * The words the query can match (folded, without @/#), or null when a wildcard can match any word.
   * A document prepared with a vocabulary holding these words gives the same matchDoc() answer.
   */
  readonly vocabulary: ReadonlySet<string> | null;
}

/** Tokenised, folded text, prepared once and matched by many queries. */
export interface QueryDoc {
  /**
   * Words without their @/# prefix, in order. In a document prepared for a vocabulary (see
   * QueryVocabulary) a word outside it is '' (it keeps its position, for phrases and NEAR/n).
   */
  words: string[];
  /** 0 plain word, 1 @handle, 2 #hashtag — parallel to words. */
  kinds: ArrayLike<number>;
  /** word → positions */
  index: ReadonlyMap<string, number[]>;
  /** The folded text the words came from. */
  folded: string;
}


const WORD_CHAR_RE = /[\p{L}\p{N}_]/u;
function isWordChar(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
  return WORD_CHAR_RE.test(text[i] as string);
}

/**
 * The words some compiled queries can match, prepared for a fast test while a document is scanned:
 * words of another length or first character are not even cut out of the text.
 */
export interface QueryVocabulary {
  /** Longest word. */
  maxLength: number;
  /** ASCII first characters of the words (1 = some word starts with it). */
  firstAscii: Uint8Array;
  /** Some word starts with a non-ASCII character. */
  firstOther: boolean;
  /** The words, looked up in place in the document (a word already there costs no new string). */
  table: RangeTable<null>;
}

/**
 * The vocabulary of several compiled queries (matching all of them against one document prepared with
 * it gives the same answers as a full document), or null when a query has a wildcard.
 */
export function queryVocabulary(queries: CompiledQuery[]): QueryVocabulary | null {
  const words = new Set<string>();
  for (const q of queries) {
    if (q.vocabulary === null) return null;
    for (const w of q.vocabulary) words.add(w);
  }
  const firstAscii = new Uint8Array(128);
  let firstOther = false;
  let maxLength = 0;
  for (const w of words) {
    const c = w.charCodeAt(0);
    if (c < 128) firstAscii[c] = 1;
    else firstOther = true;
    if (w.length > maxLength) maxLength = w.length;
  }
  const table = new RangeTable<null>(words.size);
  for (const w of words) table.add(w, null);
  return { maxLength, firstAscii, firstOther, table };
}

/** The words and kinds of a document that keeps none of its vocabulary's words (shared; never written). */
const EMPTY_WORDS: string[] = [];
const EMPTY_KINDS: number[] = [];
/** The index of a document without words (shared; never written). */
const NO_WORDS: Map<string, number[]> = new Map();

/** Tokenises and folds text for query matching (a hand-written scanner: words, @handles, #hashtags). */
export function prepareDoc(text: string, vocabulary: QueryVocabulary | null = null): QueryDoc {
  return prepareFolded(fold(text), vocabulary);
}

/**
 * prepareDoc() for text already folded (see fold()). With a vocabulary, only its words are kept and
 * indexed (others become ''), which is all the queries it came from look at.
 */
export function prepareFolded(folded: string, vocabulary: QueryVocabulary | null = null): QueryDoc {
  // With a vocabulary, most mentions keep no word at all: the word lists are made at the first word
  // kept (the words before it are '' there, as they would have been), and a document that keeps none
  // shares EMPTY_WORDS, which every query answers exactly as it would a list of ''.
  let words: string[] | null = vocabulary === null ? [] : null;
  let kinds: number[] | null = vocabulary === null ? [] : null;
  let count = 0;
  let index: Map<string, number[]> | null = null;
  const n = folded.length;
  let i = 0;
  while (i < n) {
    const c = folded.charCodeAt(i);
    let kind = 0;
    let start = i;
    if ((c === 64 || c === 35) && i + 1 < n && isWordChar(folded.charCodeAt(i + 1), folded, i + 1)) {
      kind = c === 64 ? 1 : 2;
      start = i + 1;
    } else if (!isWordChar(c, folded, i)) {
      i++;
      continue;
    }
    i = start;
    while (i < n && isWordChar(folded.charCodeAt(i), folded, i)) i++;
    let w = '';
    if (vocabulary === null) w = folded.slice(start, i);
    else if (i - start <= vocabulary.maxLength) {
      const f = folded.charCodeAt(start);
      if (f < 128 ? vocabulary.firstAscii[f] === 1 : vocabulary.firstOther) {
        const found = vocabulary.table.find(folded, start, i);
        if (found >= 0) w = vocabulary.table.key(found);
      }
    }
    const pos = count++;
    if (words === null || kinds === null) {
      if (w === '') continue;
      words = new Array<string>(pos).fill('');
      kinds = new Array<number>(pos).fill(0);
    }
    words.push(w);
    kinds.push(kind);
    if (w === '') continue;
    index ??= new Map<string, number[]>();
    const list = index.get(w);
    if (list) list.push(pos);
    else index.set(w, [pos]);
  }
  return { words: words ?? EMPTY_WORDS, kinds: kinds ?? EMPTY_KINDS, index: index ?? NO_WORDS, folded };
}

// ---------------------------------------------------------------------------------------------
// AST

type Node =
  | { t: 'term'; word: string; kind: 0 | 1 | 2; re: RegExp | null }
  | { t: 'phrase'; words: Node[] }
  | { t: 'and'; a: Node; b: Node }
  | { t: 'or'; a: Node; b: Node }
  | { t: 'not'; a: Node }
  | { t: 'near'; a: Node; b: Node; n: number; pos: number };

type Tok =
  | { k: 'lp' | 'rp' | 'and' | 'or' | 'not'; pos: number }
  | { k: 'near'; n: number; pos: number }
  | { k: 'phrase' | 'term'; text: string; pos: number };

function lex(q: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      toks.push({ k: 'lp', pos: i++ });
      continue;
    }
    if (c === ')') {
      toks.push({ k: 'rp', pos: i++ });
      continue;
    }
    if (c === '"' || c === '\u201c' || c === '\u201d') {
      const start = i;
      let j = i + 1;
      while (j < q.length && q[j] !== '"' && q[j] !== '\u201d' && q[j] !== '\u201c') j++;
      if (j >= q.length) throw new QuerySyntaxError('unterminated quote', start);
      const text = q.slice(i + 1, j);
      if (text.trim() === '') throw new QuerySyntaxError('empty phrase', start);
      toks.push({ k: 'phrase', text, pos: start });
      i = j + 1;
      continue;
    }
    const start = i;
    while (i < q.length && !/[\s()"\u201c\u201d]/.test(q[i] as string)) i++;
    const word = q.slice(start, i);
    if (word === 'AND') toks.push({ k: 'and', pos: start });
    else if (word === 'OR') toks.push({ k: 'or', pos: start });
    else if (word === 'NOT') toks.push({ k: 'not', pos: start });
    else if (word.startsWith('NEAR')) {
      const m = /^NEAR\/(\d{1,3})$/.exec(word);
      if (!m) throw new QuerySyntaxError('NEAR needs a distance like NEAR/3', start);
      toks.push({ k: 'near', n: Number(m[1]), pos: start });
    } else toks.push({ k: 'term', text: word, pos: start });
  }
  return toks;
}

function termNode(raw: string, pos: number): Node {
  let kind: 0 | 1 | 2 = 0;
  let body = raw;
  if (body.startsWith('@')) {
    kind = 1;
    body = body.slice(1);
  } else if (body.startsWith('#')) {
    kind = 2;
    body = body.slice(1);
  }
  const folded = fold(body);
  const parts = folded.split(/[^\p{L}\p{N}_*?]+/u).filter((p) => p !== '');
  if (parts.length === 0) throw new QuerySyntaxError(`term "${raw}" has no letters or digits`, pos);
  const nodes: Node[] = parts.map((p) => {
    if (/^[*?]+$/.test(p)) throw new QuerySyntaxError(`wildcard "${raw}" needs at least one letter`, pos);
    const re = /[*?]/.test(p)
      ? new RegExp(`^${p.replace(/\*/g, '[\\p{L}\\p{N}_]*').replace(/\?/g, '[\\p{L}\\p{N}_]')}$`, 'u')
      : null;
    return { t: 'term', word: p, kind, re };
  });
  return nodes.length === 1 ? (nodes[0] as Node) : { t: 'phrase', words: nodes };
}

function phraseNode(text: string, pos: number): Node {
  const nodes: Node[] = [];
  const folded = fold(text);
  for (const m of folded.matchAll(/([@#]?)([\p{L}\p{N}_*?]+)/gu)) {
    const n = termNode((m[1] as string) + (m[2] as string), pos);
    if (n.t === 'phrase') nodes.push(...n.words);
    else nodes.push(n);
  }
  if (nodes.length === 0) throw new QuerySyntaxError('empty phrase', pos);
  return nodes.length === 1 ? (nodes[0] as Node) : { t: 'phrase', words: nodes };
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly len: number,
  ) {}

  parse(): Node {
    if (this.toks.length === 0) throw new QuerySyntaxError('empty query', 0);
    const n = this.or();
    const t = this.toks[this.i];
    if (t) {
      if (t.k === 'rp') throw new QuerySyntaxError('unbalanced parenthesis', t.pos);
      throw new QuerySyntaxError(`unexpected ${t.k.toUpperCase()}`, t.pos);
    }
    return n;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private or(): Node {
    let a = this.and();
    for (let t = this.peek(); t && t.k === 'or'; t = this.peek()) {
      this.i++;
      a = { t: 'or', a, b: this.and(t) };
    }
    return a;
  }

  private and(after?: Tok): Node {
    let a = this.near(after);
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.k === 'and') {
        this.i++;
        a = { t: 'and', a, b: this.near(t) };
      } else if (t.k === 'term' || t.k === 'phrase' || t.k === 'lp' || t.k === 'not') {
        a = { t: 'and', a, b: this.near() };
      } else break;
    }
    return a;
  }

  private near(after?: Tok): Node {
    let a = this.unary(after);
    for (let t = this.peek(); t && t.k === 'near'; t = this.peek()) {
      this.i++;
      const b = this.unary(t);
      checkNearOperand(a, t.pos);
      checkNearOperand(b, t.pos);
      a = { t: 'near', a, b, n: t.n, pos: t.pos };
    }
    return a;
  }

  private unary(after?: Tok): Node {
    const t = this.peek();
    if (t && t.k === 'not') {
      this.i++;
      return { t: 'not', a: this.unary(t) };
    }
    return this.primary(after);
  }

  private primary(after?: Tok): Node {
    const t = this.peek();
    if (!t) {
      const where = after ? after.pos : this.len;
      throw new QuerySyntaxError(after ? `expected a term after ${opName(after)}` : 'expected a term', where);
    }
    if (t.k === 'lp') {
      this.i++;
      const inner = this.peek();
      if (inner && inner.k === 'rp') throw new QuerySyntaxError('empty parentheses', t.pos);
      if (!inner) throw new QuerySyntaxError('unbalanced parenthesis', t.pos);
      const n = this.or();
      const close = this.peek();
      if (!close || close.k !== 'rp') throw new QuerySyntaxError('unbalanced parenthesis', t.pos);
      this.i++;
      return n;
    }
    if (t.k === 'term') {
      this.i++;
      return termNode(t.text, t.pos);
    }
    if (t.k === 'phrase') {
      this.i++;
      return phraseNode(t.text, t.pos);
    }
    if (t.k === 'rp') throw new QuerySyntaxError('unbalanced parenthesis', t.pos);
    throw new QuerySyntaxError(
      after ? `expected a term after ${opName(after)}, found ${opName(t)}` : `unexpected ${opName(t)}`,
      t.pos,
    );
  }
}

function opName(t: Tok): string {
  return t.k === 'near' ? `NEAR/${t.n}` : t.k === 'lp' ? '(' : t.k === 'rp' ? ')' : t.k.toUpperCase();
}

function checkNearOperand(n: Node, pos: number): void {
  if (n.t === 'term' || n.t === 'phrase') return;
  if (n.t === 'or') {
    checkNearOperand(n.a, pos);
    checkNearOperand(n.b, pos);
    return;
  }
  throw new QuerySyntaxError('NEAR/n joins terms, phrases or OR-groups of them', pos);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function termAt(n: Extract<Node, { t: 'term' }>, doc: QueryDoc, i: number): boolean {
  const w = doc.words[i] as string;
  if (n.kind !== 0 && doc.kinds[i] !== n.kind) return false;
  return n.re ? n.re.test(w) : w === n.word;
}

/** Start positions (and end positions) where a term/phrase/OR-group matches. */
function spans(n: Node, doc: QueryDoc): Array<[number, number]> {
  if (n.t === 'term') {
    const out: Array<[number, number]> = [];
    if (!n.re) {
      for (const p of doc.index.get(n.word) ?? []) if (termAt(n, doc, p)) out.push([p, p]);
    } else {
      for (let i = 0; i < doc.words.length; i++) if (termAt(n, doc, i)) out.push([i, i]);
    }
    return out;
  }
  if (n.t === 'phrase') {
    const out: Array<[number, number]> = [];
    const first = n.words[0] as Extract<Node, { t: 'term' }>;
    const len = n.words.length;
    for (const [p] of spans(first, doc)) {
      if (p + len > doc.words.length) continue;
      let ok = true;
      for (let k = 1; k < len && ok; k++) ok = termAt(n.words[k] as Extract<Node, { t: 'term' }>, doc, p + k);
      if (ok) out.push([p, p + len - 1]);
    }
    return out;
  }
  if (n.t === 'or') return [...spans(n.a, doc), ...spans(n.b, doc)];
  return [];
}

function evalNode(n: Node, doc: QueryDoc): boolean {
  switch (n.t) {
    case 'term':
      if (!n.re) {
        const ps = doc.index.get(n.word);
        if (!ps) return false;
        if (n.kind === 0) return true;
        // (A loop, not ps.some(): no closure per call.)
        for (const p of ps) if (doc.kinds[p] === n.kind) return true;
        return false;
      }
      return spans(n, doc).length > 0;
    case 'phrase':
      return spans(n, doc).length > 0;
    case 'and':
      return evalNode(n.a, doc) && evalNode(n.b, doc);
    case 'or':
      return evalNode(n.a, doc) || evalNode(n.b, doc);
    case 'not':
      return !evalNode(n.a, doc);
    case 'near': {
      const a = spans(n.a, doc);
      if (a.length === 0) return false;
      const b = spans(n.b, doc);
      for (const [as, ae] of a)
        for (const [bs, be] of b) {
          const gap = bs > ae ? bs - ae - 1 : as > be ? as - be - 1 : 0; // words in between
          if (gap <= n.n) return true;
        }
      return false;
    }
  }
}

/** Adds the words of the query's terms to `out`; false when a wildcard term can match any word. */
function collectWords(n: Node, out: Set<string>): boolean {
  switch (n.t) {
    case 'term':
      out.add(n.word);
      return n.re === null;
    case 'phrase':
      return n.words.every((w) => collectWords(w, out));
    case 'and':
    case 'or':
    case 'near':
      return collectWords(n.a, out) && collectWords(n.b, out);
    case 'not':
      return collectWords(n.a, out);
  }
}

/**
 * Compiles a brand query (and optional aliases, OR-ed in as exact phrases) once.
 * Throws QuerySyntaxError naming the position of the first problem.
 */
export function compileQuery(query: string, aliases: string[] = []): CompiledQuery {
  const src = typeof query === 'string' ? query : '';
  let root: Node | null = null;
  if (src.trim() !== '' || aliases.length === 0) {
    root = new Parser(lex(src), src.length).parse();
  }
  for (const alias of aliases) {
    if (typeof alias !== 'string' || alias.trim() === '') continue;
    const a = phraseNode(alias.replace(/["\u201c\u201d]/g, ' '), 0);
    root = root ? { t: 'or', a: root, b: a } : a;
  }
  if (!root) throw new QuerySyntaxError('empty query', 0);
  const compiled = root;
  const vocabulary = new Set<string>();
  return {
    source: src,
    match: (text: string) => evalNode(compiled, prepareDoc(text)),
    matchDoc: (doc: QueryDoc) => evalNode(compiled, doc),
    vocabulary: collectWords(compiled, vocabulary) ? vocabulary : null,
  };
}
