/**
 * RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) feeds: Google Alerts, news, blogs — any feed URL in `urls`. Feeds
 * cannot search, so every brand's full query is applied to each item locally (or, for a source with a
 * `brand`, every item is that brand's). The body is decoded by the HTTP charset, else the XML
 * declaration (ISO-8859-1 feeds exist), else UTF-8. Conditional GET (ETag / Last-Modified) so an
 * unchanged feed costs one 304. With `baseUrl` set, each feed URL's origin is replaced by it (to point
 * the source at a mirror or a local test server).
 */
import { createHash } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { ParseError } from '../errors.js';
import type { RawMention } from '../model.js';
import { decodeEntities, htmlToText, parseTime } from './text.js';
import type { Collector, CollectTask } from './types.js';

const options = z.looseObject({
  urls: z.array(z.url({ message: 'not a URL' })).min(1, 'give at least one feed URL'),
});
type Options = z.infer<typeof options>;

interface Cursor {
  etag?: string;
  lastModified?: string;
}

/** One feed item with what normalise needs from its feed. */
interface FeedItem {
  kind: 'rss' | 'atom';
  item: Record<string, unknown>;
  feedLanguage: string | null;
  feedUrl: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ['item', 'entry', 'link', 'category'].includes(name),
});

/** The charset of a body: HTTP header first, then the XML declaration, else utf-8. */
export function charsetOf(body: Buffer, contentType: string | undefined): string {
  const h = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '');
  if (h) return h[1]!.toLowerCase();
  const head = body.subarray(0, 200).toString('latin1');
  const x = /<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  return x ? x[1]!.toLowerCase() : 'utf-8';
}

/** Decodes a feed body with its charset (unknown charsets fall back to utf-8). */
export function decodeBody(body: Buffer, contentType: string | undefined): string {
  const cs = charsetOf(body, contentType);
  let dec: TextDecoder;
  try {
    dec = new TextDecoder(cs);
  } catch {
    dec = new TextDecoder('utf-8');
  }
  return dec.decode(body).replace(/^\uFEFF/, '');
}

const text = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object') return text((v as Record<string, unknown>)['#text']);
  return null;
};

/** Parses a feed into its items; throws ParseError for malformed XML or a document that is no feed. */
export function parseFeed(xml: string, source: string, feedUrl: string): FeedItem[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ParseError(source, `malformed XML from ${feedUrl}: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(xml) as Record<string, unknown>;
  const rss = doc.rss as { channel?: Record<string, unknown> } | undefined;
  if (rss && typeof rss === 'object') {
    const ch = (Array.isArray(rss.channel) ? rss.channel[0] : rss.channel) ?? {};
    const lang = text(ch.language) ?? text(ch['dc:language']);
    return ((ch.item as Record<string, unknown>[] | undefined) ?? []).map((item) => ({ kind: 'rss', item, feedLanguage: lang, feedUrl }));
  }
  const rdf = doc['rdf:RDF'] as Record<string, unknown> | undefined;
  if (rdf && typeof rdf === 'object') {
    const ch = (rdf.channel ?? {}) as Record<string, unknown>;
    const lang = text(ch['dc:language']);
    return ((rdf.item as Record<string, unknown>[] | undefined) ?? []).map((item) => ({ kind: 'rss', item, feedLanguage: lang, feedUrl }));
  }
  const feed = doc.feed as Record<string, unknown> | undefined;
  if (feed && typeof feed === 'object') {
    const lang = text(feed['@_xml:lang']);
    return ((feed.entry as Record<string, unknown>[] | undefined) ?? []).map((item) => ({ kind: 'atom', item, feedLanguage: lang, feedUrl }));
  }
  throw new ParseError(source, `${feedUrl} is not an RSS, Atom or RDF feed`);
}

function atomLink(links: unknown): string | null {
  if (!Array.isArray(links)) return text(links);
  const ls = links as Record<string, unknown>[];
  const alt = ls.find((l) => typeof l === 'object' && (l['@_rel'] === undefined || l['@_rel'] === 'alternate')) ?? ls[0];
  if (!alt) return null;
  return typeof alt === 'object' ? text(alt['@_href']) ?? text(alt) : text(alt);
}

/** Replaces the origin of `url` by the one of `baseUrl` (when set). */
function rebase(url: string, baseUrl: string | null): string {
  if (!baseUrl) return url;
  const u = new URL(url);
  const b = new URL(baseUrl);
  return `${b.origin}${b.pathname.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

/** The RSS / Atom / RDF collector. */
export const rss: Collector<Options, Cursor> = {
  type: 'rss',
  description: 'Any RSS 2.0, Atom or RDF feed (Google Alerts, news, blogs); the brand queries are applied to each item.',
  defaultSchedule: '0 * * * *',
  options,
  emits: 'id = guid / atom id / link; url = link; title; text = content or description as plain text; author; language = feed language.',
  unhealthyWhen: 'a feed cannot be fetched or is not valid XML',
  plan(ctx) {
    return ctx.source.options.urls.map(
      (url): CollectTask => ({ key: `url:${url}`, params: { url: rebase(url, ctx.source.baseUrl) }, filter: ctx.source.brand ? { kind: 'none' } : { kind: 'any' } }),
    );
  },
  async *fetch(ctx, task, cursor) {
    const url = String(task.params.url);
    const headers: Record<string, string> = { Accept: 'application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5' };
    if (cursor?.etag) headers['If-None-Match'] = cursor.etag;
    if (cursor?.lastModified) headers['If-Modified-Since'] = cursor.lastModified;
    const res = await ctx.http.get(url, { headers });
    if (res.status === 304) {
      yield { items: [], cursor };
      return;
    }
    const items = parseFeed(decodeBody(res.body, res.headers['content-type']), ctx.source.name, url);
    const floor = cursor ? null : ctx.now().getTime() - ctx.source.backfillDays * 86400_000;
    const kept = floor === null ? items : items.filter((it) => {
      const d = parseTime(text(it.item.pubDate) ?? text(it.item['dc:date']) ?? text(it.item.published) ?? text(it.item.updated));
      return d === null || d.getTime() >= floor;
    });
    const next: Cursor = {};
    if (res.headers.etag) next.etag = res.headers.etag;
    if (res.headers['last-modified']) next.lastModified = res.headers['last-modified'];
    yield { items: kept, cursor: next };
  },
  normalise(raw): RawMention {
    const { kind, item, feedLanguage } = raw as FeedItem;
    const title = text(item.title);
    let link: string | null;
    let id: string | null;
    let body: string | null;
    let author: string | null;
    let published: Date | null;
    if (kind === 'atom') {
      link = atomLink(item.link);
      id = text(item.id) ?? link;
      body = text(item.content) ?? text(item.summary);
      const a = item.author as Record<string, unknown> | undefined;
      author = a && typeof a === 'object' ? text(a.name) : text(a);
      published = parseTime(text(item.published) ?? text(item.updated));
    } else {
      link = text(item.link) ?? (item['@_rdf:about'] as string | undefined) ?? null;
      id = text(item.guid) ?? link;
      body = text(item['content:encoded']) ?? text(item.description);
      author = text(item['dc:creator']) ?? text(item.author);
      published = parseTime(text(item.pubDate) ?? text(item['dc:date']));
    }
    const titleText = title ? decodeEntities(htmlToText(title)) : null;
    if (!published) throw new ParseError('rss', `item '${(titleText ?? id ?? '?').slice(0, 60)}': no usable date`);
    id ??= createHash('sha1').update(`${titleText ?? ''}\u0000${published.toISOString()}`).digest('hex');
    const plain = htmlToText(body);
    return {
      externalId: id,
      url: link,
      author,
      authorReach: null,
      title: titleText,
      text: plain || titleText || '',
      language: feedLanguage ? feedLanguage.slice(0, 2).toLowerCase() : null,
      publishedAt: published,
      engagement: {},
      rating: null,
    };
  },
};
