/**
 * Runs before every test file: no network except loopback.
 */
import nock from 'nock';

process.env.DOTENV_CONFIG_QUIET = 'true';
process.env.LOG_LEVEL ??= 'silent';
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
