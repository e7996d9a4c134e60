/**
 * The web process: createApp(deps) + listen, with a graceful stop. Refuses to listen on anything but
 * loopback without a token (config.server.token or EARSHOT_TOKEN): the dashboard shows every mention
 * and lets people change analyses, so it never goes on a network unprotected.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deps } from './deps.js';
import { createApp } from './web/app.js';
import { ConfigError } from './errors.js';

/** Whether a host name or address only listens on this machine. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** A running dashboard. */
export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the dashboard on host:port (port 0 picks a free one). Throws ConfigError when the host is
 * not loopback and no token is configured.
 */
export async function startWeb(deps: Deps, opts: { host: string; port: number; token?: string | null }): Promise<WebServer> {
  const log = deps.logger.child({ module: 'web' });
  const token = opts.token ?? deps.config.server?.token ?? process.env.EARSHOT_TOKEN ?? null;
  const loopback = isLoopback(opts.host);
  if (!loopback && !token) {
    throw new ConfigError(`web: refusing to listen on ${opts.host}: set server.token in the config or EARSHOT_TOKEN, or listen on 127.0.0.1`, 'server.token');
  }
  const app = createApp(deps, { authToken: loopback ? null : token });
  const server = http.createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new ConfigError(`web: cannot listen on ${opts.host}:${opts.port}: ${err.message}`, null, { cause: err })));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${hostForUrl}:${addr.port}`;
  log.info({ url, login_required: !loopback }, 'web: dashboard listening');
  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a few seconds, then their sockets are dropped.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }).then(() => log.info({ url }, 'web: dashboard stopped'));
      return closing;
    },
  };
}
