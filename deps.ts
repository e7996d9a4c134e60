/**
 * What every long-lived part of Earshot receives: the database, the validated config, a logger and an
 * injectable clock (tests move time; nothing else calls `new Date()` for scheduling or bucketing).
 */
import type { Logger } from 'pino';
import type { Db } from './db/index.js';
import type { Config } from './config.js';

/** Shared dependencies, built once by the CLI (see cli.ts) or by a test. */
export interface Deps {
  db: Db;
  config: Config;
  logger: Logger;
  /** The clock. Default `() => new Date()`. */
  now: () => Date;
}
