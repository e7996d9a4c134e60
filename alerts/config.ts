/**
 * The `alerts:` section of earshot.yaml: where alerts go (webhooks, email), how delivery retries, and the
 * rules with their named parameters, with defaults that suit a brand getting tens to thousands of
 * mentions a day. Per-brand overrides sit under `alerts.brands.<brand name>.<rule>`.
 *
 * ```yaml
 * alerts:
 *   schedule: '*\/5 * * * *'
 *   webhooks: [{ url: https://hooks.example.com/earshot, secret: change-me, format: json }]
 *   email: { host: smtp.example.com, port: 587, from: earshot@example.com, to: [cx@example.com] }
 *   delivery: { timeoutMs: 5000, retries: 3, backoffMs: 1000, retryAfterMinutes: 5, abandonAfterHours: 48 }
 *   rules:
 *     volumeSpike: { windowMinutes: 60, thresholdMultiple: 3, minCount: 10 }
 *     highReach: { minReach: 100000 }
 *   brands:
 *     Acme: { volumeSpike: { minCount: 25 }, shareOfVoice: { enabled: false } }
 * ```
 */
import cron from 'node-cron';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

const cronExpr = z.string().refine((s) => cron.validate(s), { message: 'not a valid cron expression' });
const minutes = z.number().positive();

/** Parameters every rule has (principle 13: window, threshold multiple, minimum count, minimum spacing). */
const common = {
  enabled: z.boolean(),
  /** Length of the window that is compared with the baseline, in minutes. */
  windowMinutes: minutes,
  /** How far back the baseline looks, in days (same time of day; same weekday when there are ≥ 2 weeks). */
  baselineDays: z.number().int().min(1).max(90),
  /** Observed must be at least this multiple of expected. */
  thresholdMultiple: z.number().min(1),
  /** Observed must be at least this many mentions (so three mentions are never a spike). */
  minCount: z.number().int().min(1),
  /** After an alert for the same rule and key was resolved, wait this long before opening another. */
  minSpacingMinutes: z.number().min(0),
  /** An open alert whose rule has not fired for this long is resolved by Earshot. */
  resolveAfterMinutes: minutes,
};

/** Every rule's parameters, with defaults. */
export const RULE_DEFAULTS = {
  volumeSpike: { enabled: true, windowMinutes: 60, baselineDays: 28, thresholdMultiple: 3, minCount: 10, minSpacingMinutes: 360, resolveAfterMinutes: 120, minScore: 3 },
  negativeShare: { enabled: true, windowMinutes: 120, baselineDays: 28, thresholdMultiple: 1.8, minCount: 8, minSpacingMinutes: 360, resolveAfterMinutes: 180, minScore: 3, minShare: 0.35 },
  painPointSurge: { enabled: true, windowMinutes: 120, baselineDays: 28, thresholdMultiple: 3, minCount: 6, minSpacingMinutes: 360, resolveAfterMinutes: 180, minScore: 3 },
  emergingComplaint: { enabled: true, windowMinutes: 180, baselineDays: 7, thresholdMultiple: 5, minCount: 5, minSpacingMinutes: 1440, resolveAfterMinutes: 360, minShare: 0.2, maxPhrases: 2 },
  shareOfVoice: { enabled: true, windowMinutes: 360, baselineDays: 14, thresholdMultiple: 1.5, minCount: 20, minSpacingMinutes: 1440, resolveAfterMinutes: 360, minJump: 0.15 },
  highReach: { enabled: true, windowMinutes: 180, baselineDays: 1, thresholdMultiple: 1, minCount: 1, minSpacingMinutes: 10080, resolveAfterMinutes: 360, minReach: 50000 },
} as const;

const ruleSchemas = {
  volumeSpike: z.strictObject({ ...common, /** (observed − expected) / √(expected + variance) must reach this. */ minScore: z.number().min(0) }),
  negativeShare: z.strictObject({ ...common, minScore: z.number().min(0), /** The window's negative share must be at least this (0–1). */ minShare: z.number().min(0).max(1) }),
  painPointSurge: z.strictObject({ ...common, minScore: z.number().min(0) }),
  emergingComplaint: z.strictObject({ ...common, /** The phrase must be in at least this share of the window's negative mentions. */ minShare: z.number().min(0).max(1), maxPhrases: z.number().int().min(1).max(10) }),
  shareOfVoice: z.strictObject({ ...common, /** Share of voice must rise by at least this many points (0–1). */ minJump: z.number().min(0).max(1) }),
  highReach: z.strictObject({ ...common, /** The author's followers (or the post's likes + shares) must reach this. */ minReach: z.number().int().min(1) }),
};

/** Config key of each rule. */
export type RuleConfigKey = keyof typeof RULE_DEFAULTS;
/** Parameters of each rule after defaults. */
export type RuleParams = { [K in RuleConfigKey]: z.infer<(typeof ruleSchemas)[K]> };
/** The rules' config keys, in evaluation order. */
export const RULE_KEYS = Object.keys(RULE_DEFAULTS) as RuleConfigKey[];

const partialRules = z.strictObject(Object.fromEntries(RULE_KEYS.map((k) => [k, ruleSchemas[k].partial().optional()])) as { [K in RuleConfigKey]: z.ZodOptional<ReturnType<(typeof ruleSchemas)[K]['partial']>> });

const webhookSchema = z.strictObject({
  url: z.url(),
  secret: z.string().optional(),
  format: z.enum(['json', 'slack']).default('json'),
});

const emailSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(3),
  to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
});

const deliverySchema = z.strictObject({
  /** Per attempt. */
  timeoutMs: z.number().int().positive().default(5000),
  /** Retries within one cycle after the first attempt (backoff doubles from backoffMs). */
  retries: z.number().int().min(0).max(10).default(3),
  backoffMs: z.number().int().min(0).default(1000),
  /** After a cycle's attempts all failed, try again this much later (doubling per failed cycle, ≤ 6 h). */
  retryAfterMinutes: z.number().positive().default(5),
  /** Stop retrying a delivery this long after it was created (marked 'abandoned', kept in the log). */
  abandonAfterHours: z.number().positive().default(48),
});

/**
 * The schema for config.ts's `alerts` key. `webhooks` and `schedule` keep the shape they had;
 * everything else is optional with defaults.
 */
export const alertsConfigSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).default([]),
    schedule: cronExpr.default('*/5 * * * *'),
    email: emailSchema.optional(),
    delivery: deliverySchema.default({ timeoutMs: 5000, retries: 3, backoffMs: 1000, retryAfterMinutes: 5, abandonAfterHours: 48 }),
    /** Defaults for every brand. */
    rules: partialRules.default({}),
    /** Overrides for one brand, keyed by brand name (case-insensitive). */
    brands: z.record(z.string(), partialRules).default({}),
    /** Dashboard base URL, used for links in messages (e.g. http://127.0.0.1:3000). */
    dashboardUrl: z.url().optional(),
  })
  .default({ webhooks: [], schedule: '*/5 * * * *', delivery: { timeoutMs: 5000, retries: 3, backoffMs: 1000, retryAfterMinutes: 5, abandonAfterHours: 48 }, rules: {}, brands: {} });

/** The validated `alerts:` section. */
export type AlertsConfig = z.output<typeof alertsConfigSchema>;

/**
 * Reads the alerts section from whatever config.ts holds today: validated by `alertsConfigSchema`
 * once config.ts uses it, or a loose object (this parses it, so a bad value still names its key).
 */
export function resolveAlertsConfig(raw: unknown): AlertsConfig {
  const parsed = alertsConfigSchema.safeParse(raw ?? undefined);
  if (parsed.success) return parsed.data;
  const i = parsed.error.issues[0]!;
  const where = `alerts.${i.path.map(String).join('.')}`;
  throw new ConfigError(`${where}: ${i.message}`, where, { cause: parsed.error });
}

/** One brand's parameters for every rule: defaults ← alerts.rules ← alerts.brands[brand]. */
export function rulesForBrand(cfg: AlertsConfig, brand: string): RuleParams {
  const own = Object.entries(cfg.brands).find(([name]) => name.toLowerCase() === brand.toLowerCase())?.[1] ?? {};
  const out = {} as Record<RuleConfigKey, unknown>;
  for (const k of RULE_KEYS) out[k] = { ...RULE_DEFAULTS[k], ...stripUndefined(cfg.rules[k]), ...stripUndefined((own as Record<string, object | undefined>)[k]) };
  return out as RuleParams;
}

function stripUndefined(o: object | undefined): object {
  return o ? Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) : {};
}
