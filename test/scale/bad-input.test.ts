/**
 * The analysis fed what the internet sends: random Unicode (lone surrogates, RTL marks, emoji
 * sequences, combining marks), megabyte texts, empty strings, HTML and control characters. Through the
 * real pipeline (stored, claimed, analysed, stored again): nothing throws, every mention is analysed,
 * and no mention takes long. Runs on PGlite and, with DATABASE_URL, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { DB_KIND, openTestDb } from '../helpers/db.js';
import { parseConfig } from '../../config.js';
import { logger } from '../../log.js';
import { insertMentions } from '../../db/mentions.js';
import { syncBrandsAndSources } from '../../db/sources.js';
import { analyserFor, analyzePending } from '../../worker.js';
import type { RawMention } from '../../model.js';
import type { Deps } from '../../deps.js';

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RANGES: [number, number][] = [
  [0x00, 0x1f], [0x20, 0x7e], [0x7f, 0x9f], [0xa0, 0x24f], [0x300, 0x36f], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f],
  [0x200b, 0x200f], [0x202a, 0x202e], [0x3040, 0x30ff], [0x4e00, 0x4fff], [0xd800, 0xdfff], [0xfe00, 0xfe0f], [0xfff0, 0xffff],
  [0x1f300, 0x1f6ff], [0x1f900, 0x1f9ff], [0xe0000, 0xe007f],
];

function randomUnicode(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const [lo, hi] = RANGES[Math.floor(rand() * RANGES.length)]!;
    const cp = lo + Math.floor(rand() * (hi - lo + 1));
    s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return s;
}

/** The nasty inputs: each a [name, text, title] triple. */
function nastyTexts(): [string, string, string | null][] {
  const rand = prng(8);
  const out: [string, string, string | null][] = [
    ['empty', '', null],
    ['whitespace only', ' \n\t\r  ', ''],
    ['control characters', 'Acme \u0000\u0001\u0007\b\u001b[31m refund \u007f\u0085 delayed\u2028\u2029', '\u0000'],
    ['html', '<script>alert(1)</script><p onclick="x">Acme <b>refund</b> &amp; &lt;delay&gt; &#0; &#xD800; <!-- --> <![CDATA[x]]></p>'.repeat(50), '<h1>Acme</h1>'],
    ['unclosed html', '<div><div><div><table><tr><td>Acme'.repeat(2000), null],
    ['lone surrogates', '\ud800Acme\udfff refund \ud83d', null],
    ['rtl and zero-width', '\u202eAcme\u200b\u200d\ufeff is terrible \u2066refund\u2069', null],
    ['emoji sequences', '👩‍👩‍👧‍👦🏳️‍🌈😡😡😡 Acme 🤬'.repeat(200), null],
    ['combining marks', `A${'\u0301'.repeat(5000)}cme`, null],
    ['one huge word', 'a'.repeat(1_000_000), null],
    ['megabyte of words', 'Acme lost my luggage and the refund never came. '.repeat(25_000), 'x'.repeat(100_000)],
    ['many urls', 'https://example.com/acme?x=1 '.repeat(5000), null],
    ['repeated punctuation', '!!!???...'.repeat(30_000), null],
    ['numbers', '1234567890 '.repeat(20_000), null],
  ];
  for (let i = 0; i < 60; i++) out.push([`random unicode ${i}`, randomUnicode(rand, 1 + Math.floor(rand() * 4000)), rand() < 0.3 ? randomUnicode(rand, 50) : null]);
  return out;
}

/** A single mention may take at most this long (a 2-core CI machine, the suite running in parallel). */
const MAX_MS_PER_MENTION = 1500;

let db: Db;
let deps: Deps;

describe(`analysis on hostile input (${DB_KIND})`, () => {
  beforeAll(async () => {
    db = await openTestDb();
    const config = parseConfig('brands: [{name: Acme, query: acme, own: true}]\nsources: []\n');
    deps = { db, config, logger, now: () => new Date() };
    await syncBrandsAndSources(db, config);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('analyse() never throws and stays fast on each hostile text', () => {
    const analyser = analyserFor(deps);
    for (const [name, text, title] of nastyTexts()) {
      // the worker caps what the analyser sees (MAX_ANALYSED_CHARS); measure the same way
      const t0 = performance.now();
      const r = analyser.analyse({ text: text.slice(0, 20_000), title: title?.slice(0, 20_000) ?? null, languageHint: null, brandHint: null });
      const ms = performance.now() - t0;
      // an empty text is unscored (null), anything else gets a label and a finite score
      expect(['positive', 'neutral', 'negative', null], name).toContain(r.sentiment.label);
      if (r.sentiment.score !== null) expect(Number.isFinite(r.sentiment.score), name).toBe(true);
      expect(ms, `${name}: ${ms.toFixed(0)} ms`).toBeLessThan(MAX_MS_PER_MENTION);
    }
  });

  it('the pipeline stores, analyses and stores again every hostile mention, none failed, bounded time', async () => {
    const texts = nastyTexts();
    const items: RawMention[] = texts.map(([name, text, title], i) => ({
      externalId: `nasty-${i}`, url: null, author: name, authorReach: null, title, text, language: null,
      publishedAt: new Date(Date.now() - i * 60_000), engagement: {}, rating: null,
    }));
    const src = await db.query<{ id: number }>(`insert into sources (name, type) values ('fuzz', 'file') returning id`);
    const ins = await insertMentions(db, src.rows[0]!.id, items);
    expect(ins.inserted).toBe(items.length);
    const t0 = Date.now();
    const s = await analyzePending(deps, { batchSize: 20 });
    const ms = Date.now() - t0;
    expect(s.failed).toBe(0);
    expect(s.analysed).toBe(items.length);
    const r = await db.query<{ n: number }>(`select count(*)::int as n from analyses a join mentions m on m.id = a.mention_id where m.external_id like 'nasty-%'`);
    expect(r.rows[0]?.n).toBe(items.length);
    expect(ms / items.length).toBeLessThan(MAX_MS_PER_MENTION);
  });
});
