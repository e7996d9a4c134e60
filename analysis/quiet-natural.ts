/**
 * Imported before `natural`: natural loads dotenv at import time, which reads `./.env` and prints a
 * banner line. Setting DOTENV_CONFIG_QUIET first keeps Earshot's stdout clean (ESM evaluates this
 * module before any later import in the importing file).
 */
process.env.DOTENV_CONFIG_QUIET = 'true';

/** Marker export so the import is never elided. */
export const NATURAL_QUIET = true;
