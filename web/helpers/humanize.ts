/**
 * `{{humanize id}}`: a machine id as words ("customer-service" → "Customer service", "experience" →
 * "Experience (onboarding/use)"). Returns a plain string; Handlebars escapes it.
 */
const SPECIAL: Record<string, string> = {
  experience: 'Experience (onboarding/use)',
  unscored: 'Not scored',
  none: 'No stage',
  '': 'No stage',
};

/** Humanises an id. */
export function humanize(value: unknown): string {
  if (typeof value !== 'string') return '–';
  if (value in SPECIAL) return SPECIAL[value]!;
  const s = value.replace(/[-_]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
