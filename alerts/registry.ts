/**
 * The explicit list of notifier types. Adding a channel: one file with a Notifier class and a factory,
 * one line here.
 */
import { NotifierRegistry, type Notifier } from './notifier.js';
import type { AlertsConfig } from './config.js';
import { webhookNotifiers } from './webhook.js';
import { emailNotifiers } from './email.js';

/** Every notifier type Earshot ships. */
export const notifierRegistry = new NotifierRegistry().register('webhook', webhookNotifiers).register('email', emailNotifiers);

/** The notifiers configured in `alerts`. */
export function createNotifiers(cfg: AlertsConfig): Notifier[] {
  return notifierRegistry.create(cfg);
}
