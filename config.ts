/**
 * earshot.yaml → typed config, validated once at start-up with zod. Every error names the key path
 * and the problem: `config: brands[1].query: unbalanced parenthesis at position 12`.
 *
 * Source type options (rss `urls`, appstore `apps` …) sit at the top level of each source entry and
 * are validated by the collector that owns the type (see collectors/registry.ts), passed in as
 * `validateSource` so this module stays independent of the collectors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import cron from 'node-cron';
import { z } from 'zod';
import { compileQuery, QuerySyntaxError } from './analysis/index.js';
import { ConfigError } from './errors.js';
import { alertsConfigSchema } from './alerts/config.js';
import { SOURCE_TYPES, type BrandConfig } from './model.js';

/** Where the project is installed (bundled starter and demo files live here). */
export const PACKAGE_ROOT = path.dirname(fileURLToPath(import.meta.url));
/** The starter config `earshot init` writes and `earshot run` uses when no file exists. */
export const STARTER_CONFIG_PATH = path.join(PACKAGE_ROOT, 'earshot.starter.yaml');
/** Default config file name, in the working directory. */
export const DEFAULT_CONFIG_FILE = 'earshot.yaml';

const cronExpr = z.string().refine((s) => cron.validate(s), { message: 'not a valid cron expression' });

const brandSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty'),
  aliases: z.array(z.string().trim().min(1)).default([]),
  query: z.string().default(''),
  own: z.boolean().default(false),
});

/** Fields every source has; type-specific options are kept as they are for the collector to check. */
const sourceBaseSchema = z.looseObject({
  name: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "-", "_" or "." (it is used on the command line)'),
  type: z.enum(SOURCE_TYPES),
  schedule: cronExpr.default('*/15 * * * *'),
  enabled: z.boolean().default(true),
  baseUrl: z.url().optional(),
  brand: z.string().optional(),
  userAgent: z.string().optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxPages: z.number().int().positive().optional(),
  pageSize: z.number().int().positive().optional(),
  backfillDays: z.number().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  /** Requests per second to this source's host. */
  rateLimit: z.number().positive().optional(),
});

const configSchema = z.strictObject({
  brands: z.array(brandSchema).min(1, 'declare at least one brand'),
  sources: z.array(sourceBaseSchema).default([]),
  analysis: z
    .strictObject({
      /** Extra pain-point categories, or extra words for the default ones. */
      painPoints: z.record(z.string().regex(/^[a-z0-9-]+$/, 'pain-point ids are lower-case-with-dashes'), z.array(z.string().min(1))).default({}),
    })
    .default({ painPoints: {} }),
  alerts: alertsConfigSchema,
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(3000),
      /** Required when host is not loopback; or set EARSHOT_TOKEN. */
      token: z.string().optional(),
    })
    .default({ host: '127.0.0.1', port: 3000 }),
});

/** A source entry after validation: base fields plus its type's options. */
export type SourceConfig = z.infer<typeof sourceBaseSchema> & Record<string, unknown>;
/** The whole validated config. */
export type Config = Omit<z.infer<typeof configSchema>, 'brands' | 'sources'> & {
  brands: BrandConfig[];
  sources: SourceConfig[];
  /** The file it was read from (null for a config built in code). */
  file: string | null;
};

/** One problem found in a source's type options. */
export interface OptionIssue {
  /** Key path inside the source entry, e.g. `apps[0].id`. */
  path: string;
  message: string;
}
/** Validates (and may normalise) a source's type-specific options; returns its issues. */
export type SourceValidator = (source: SourceConfig) => { source: SourceConfig; issues: OptionIssue[]; optionKeys?: string[] };

/** zod's wording for a missing key ("expected array, received undefined") said plainly. */
function plain(message: string): string {
  const m = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  return m ? `required (${m[1]})` : message;
}

/** Formats a zod path as `brands[1].query`. */
export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Parses and validates config text. Throws ConfigError naming the first problems. */
export function parseConfig(text: string, opts: { file?: string | null; validateSource?: SourceValidator } = {}): Config {
  const where = opts.file ? `${opts.file}: ` : '';
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0];
    throw new ConfigError(`${where}YAML syntax error${line ? ` at line ${line.line}, column ${line.col}` : ''}: ${e.message.split('\n')[0]}`);
  }
  const raw = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${formatPath(i.path) || '(top level)'}: ${plain(i.message)}`);
    const first = parsed.error.issues[0]!;
    throw new ConfigError(`${where}${issues.join('; ')}`, formatPath(first.path), { cause: parsed.error });
  }
  const cfg = parsed.data;
  const problems: string[] = [];
  const seenBrands = new Set<string>();
  cfg.brands.forEach((b, i) => {
    const key = b.name.toLowerCase();
    if (seenBrands.has(key)) problems.push(`brands[${i}].name: duplicate brand '${b.name}'`);
    seenBrands.add(key);
    try {
      compileQuery(b.query, b.aliases);
    } catch (err) {
      if (err instanceof QuerySyntaxError) problems.push(`brands[${i}].query: ${err.message}`);
      else throw err;
    }
  });
  const seenSources = new Set<string>();
  const sources: SourceConfig[] = cfg.sources.map((s, i) => {
    if (seenSources.has(s.name)) problems.push(`sources[${i}].name: duplicate source name '${s.name}'`);
    seenSources.add(s.name);
    if (s.brand !== undefined && !seenBrands.has(s.brand.toLowerCase())) {
      problems.push(`sources[${i}].brand: '${s.brand}' is not one of the declared brands`);
    }
    if (!opts.validateSource) return s as SourceConfig;
    const { source, issues, optionKeys } = opts.validateSource(s as SourceConfig);
    // Keys are loose so each collector can add its own; anything neither base nor the type's option is
    // a typo that would silently do nothing (`hashtag:` for `hashtags:`).
    if (optionKeys) {
      const known = new Set([...Object.keys(sourceBaseSchema.shape), ...optionKeys]);
      for (const k of Object.keys(s)) {
        if (known.has(k)) continue;
        const near = [...known].find((c) => c.toLowerCase().startsWith(k.toLowerCase().slice(0, 4)));
        problems.push(`sources[${i}].${k}: unknown key for a ${s.type} source${near ? ` (did you mean '${near}'?)` : ''}`);
      }
    }
    for (const iss of issues) problems.push(`sources[${i}]${iss.path ? `.${iss.path}` : ''}: ${plain(iss.message)}`);
    return source;
  });
  if (problems.length > 0) throw new ConfigError(`${where}${problems.slice(0, 5).join('; ')}`);
  return { ...cfg, brands: cfg.brands, sources, file: opts.file ?? null };
}

/** Reads and validates a config file. */
export function loadConfig(file: string, opts: { validateSource?: SourceValidator } = {}): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${file}: file not found (run 'earshot init' to write a starter config)` : `${file}: cannot read: ${(err as Error).message}`, null, { cause: err });
  }
  return parseConfig(text, { file, ...opts });
}
