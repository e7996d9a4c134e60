/**
 * The explicit list of source types. Adding a source is one file in collectors/ plus one line here.
 * The list is checked when this module loads: a duplicate type, or a SOURCE_TYPES entry with no
 * collector, throws at start-up rather than at the first run.
 */
import { ConfigError } from '../errors.js';
import { SOURCE_TYPES, type SourceType } from '../model.js';
import type { OptionIssue, SourceConfig, SourceValidator } from '../config.js';
import type { AnyCollector } from './types.js';
import { hackerNews } from './hacker-news.js';
import { fileSource } from './file-import.js';
import { reddit } from './reddit.js';
import { mastodon } from './mastodon.js';
import { bluesky } from './bluesky.js';
import { rss } from './rss.js';
import { appStore } from './app-store.js';
import { youtube } from './youtube.js';
import { stackExchange } from './stack-exchange.js';

const ALL: AnyCollector[] = [reddit, hackerNews, mastodon, bluesky, rss, appStore, youtube, stackExchange, fileSource];

/** Builds the type → collector map; throws on a duplicate or a missing type. */
export function buildRegistry(list: AnyCollector[], required: readonly string[] = SOURCE_TYPES): Map<string, AnyCollector> {
  const map = new Map<string, AnyCollector>();
  for (const c of list) {
    if (map.has(c.type)) throw new ConfigError(`collectors: two collectors registered for type '${c.type}'`);
    map.set(c.type, c);
  }
  const missing = required.filter((t) => !map.has(t));
  if (missing.length > 0) throw new ConfigError(`collectors: no collector registered for type${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')}`);
  return map;
}

const registry = buildRegistry(ALL);

/** The collector of a source type; throws ConfigError for an unknown type. */
export function getCollector(type: string): AnyCollector {
  const c = registry.get(type);
  if (!c) throw new ConfigError(`collectors: unknown source type '${type}' (known: ${[...registry.keys()].join(', ')})`);
  return c;
}

/** What each collector says about itself (for the sources page and docs). */
export interface CollectorDescription {
  type: SourceType;
  description: string;
  defaultSchedule: string;
  emits: string;
  unhealthyWhen: string;
}

/** Every collector's description, in registry order. */
export function listCollectors(): CollectorDescription[] {
  return [...registry.values()].map((c) => ({ type: c.type, description: c.description, defaultSchedule: c.defaultSchedule, emits: c.emits, unhealthyWhen: c.unhealthyWhen }));
}

/** Zod path → `apps[0].id`. */
function pathOf(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/**
 * Validates a source's type options with its collector's schema (for config.ts). Returns the source with
 * defaults applied and every issue with its path inside the entry.
 */
export const validateSource: SourceValidator = (source: SourceConfig) => {
  const c = registry.get(source.type);
  if (!c) return { source, issues: [{ path: 'type', message: `unknown source type '${source.type}'` }] };
  const r = c.options.safeParse(source);
  if (!r.success) {
    const issues: OptionIssue[] = r.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }));
    return { source, issues };
  }
  const shape = (c.options as unknown as { shape?: Record<string, unknown> }).shape;
  return { source: { ...source, ...(r.data as Record<string, unknown>) } as SourceConfig, issues: [], ...(shape ? { optionKeys: Object.keys(shape) } : {}) };
};
