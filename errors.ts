/**
 * The error hierarchy. Every error Earshot raises on purpose is an EarshotError with a `code`;
 * the CLI prints `message` (which already names the module and what went wrong) and exits non-zero.
 */

/** Base error: a stable `code`, a message that says what and where, and a chained `cause`. */
export class EarshotError extends Error {
  override name = 'EarshotError';
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** The configuration file is missing, unreadable or invalid. `path` is the first bad key path (`brands[1].query`); the message names every problem with its path. */
export class ConfigError extends EarshotError {
  override name = 'ConfigError';
  readonly path: string | null;
  constructor(message: string, path: string | null = null, options?: { cause?: unknown }) {
    super('CONFIG', `config: ${message}`, options);
    this.path = path;
  }
}

/** Bad user input: a row of an import, a query parameter, a CLI flag. */
export class ValidationError extends EarshotError {
  override name = 'ValidationError';
  readonly field: string | null;
  readonly row: number | null;
  constructor(message: string, where: { field?: string | null; row?: number | null } = {}, options?: { cause?: unknown }) {
    super('VALIDATION', message, options);
    this.field = where.field ?? null;
    this.row = where.row ?? null;
  }
}

/** Something asked for by name or id does not exist. */
export class NotFoundError extends EarshotError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** The database cannot be opened or is in the wrong state (locked, old schema). */
export class DatabaseError extends EarshotError {
  override name = 'DatabaseError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE', message, options);
  }
}

/** A source failed: network, HTTP status, rate limit or an unparsable body. */
export class SourceError extends EarshotError {
  override name = 'SourceError';
  readonly source: string;
  constructor(source: string, message: string, code = 'SOURCE', options?: { cause?: unknown }) {
    super(code, `${source}: ${message}`, options);
    this.source = source;
  }
}

/** The service answered with an error status. */
export class HttpError extends SourceError {
  override name = 'HttpError';
  readonly status: number;
  readonly url: string;
  constructor(source: string, status: number, url: string, options?: { cause?: unknown }) {
    super(source, `HTTP ${status} for ${url}`, 'HTTP', options);
    this.status = status;
    this.url = url;
  }
}

/** The service asked us to slow down; `retryAt` is when we may try again. */
export class RateLimitedError extends SourceError {
  override name = 'RateLimitedError';
  readonly url: string;
  readonly retryAt: Date;
  constructor(source: string, url: string, retryAt: Date, options?: { cause?: unknown }) {
    const seconds = Math.max(0, Math.round((retryAt.getTime() - Date.now()) / 1000));
    super(source, `rate limited for ${url}, retry in ${seconds} s`, 'RATE_LIMITED', options);
    this.url = url;
    this.retryAt = retryAt;
  }
}

/** A body could not be parsed (malformed JSON/XML, unexpected shape, too large). */
export class ParseError extends SourceError {
  override name = 'ParseError';
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(source, message, 'PARSE', options);
  }
}

export const isEarshotError = (e: unknown): e is EarshotError => e instanceof EarshotError;
export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;
export const isValidationError = (e: unknown): e is ValidationError => e instanceof ValidationError;
export const isNotFoundError = (e: unknown): e is NotFoundError => e instanceof NotFoundError;
export const isSourceError = (e: unknown): e is SourceError => e instanceof SourceError;
export const isHttpError = (e: unknown): e is HttpError => e instanceof HttpError;
export const isRateLimitedError = (e: unknown): e is RateLimitedError => e instanceof RateLimitedError;
export const isParseError = (e: unknown): e is ParseError => e instanceof ParseError;
