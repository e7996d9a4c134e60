/**
 * The root pino logger. Modules take a child: `logger.child({ module: 'collect' })`.
 * Level from LOG_LEVEL (default `info`; tests set `silent`). Logs go to stderr so that
 * commands which write data (`score`, `export`) keep stdout clean.
 */
import { pino } from 'pino';

export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.token', '*.apiKey', '*.secret', '*.password', 'headers.authorization'], censor: '[redacted]' },
  },
  pino.destination({ fd: 2, sync: true }),
);

/** A child logger for one module. */
export function moduleLogger(module: string): pino.Logger {
  return logger.child({ module });
}
