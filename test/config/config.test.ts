/**
 * The config file as users write it: every error names the key path and the problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, STARTER_CONFIG_PATH } from '../../config.js';
import { validateSource } from '../../collectors/registry.js';
import { ConfigError } from '../../errors.js';

const parse = (yaml: string) => parseConfig(yaml, { file: 'earshot.yaml', validateSource });
const errorOf = (yaml: string): string => {
  try {
    parse(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};
const brand = `brands: [{name: Acme, query: acme}]\n`;

describe('config errors name the key and the problem', () => {
  it.each([
    ['brands:\n  - name: A\n    query: a\n  - name: B\n    query: "(b OR c"\n', /earshot\.yaml: brands\[1\]\.query: .*parenthes.* at position \d+/],
    ['brands: []\n', /brands: declare at least one brand/],
    ['brands:\n  - name: A\n  - name: a\n', /brands\[1\]\.name: duplicate brand 'a'/],
    ['brands:\n  - {name: A, colour: red}\n', /brands\[0\]: .*colour/],
    [`${brand}sources: [{name: x, type: carrier-pigeon}]\n`, /sources\[0\]\.type/],
    [`${brand}sources: [{name: x, type: hackernews, schedule: 'every hour'}]\n`, /sources\[0\]\.schedule: not a valid cron expression/],
    [`${brand}sources: [{name: x, type: rss}]\n`, /sources\[0\]\.urls: required/],
    [`${brand}sources: [{name: x, type: rss, urls: [nope]}]\n`, /sources\[0\]\.urls\[0\]: not a URL/],
    [`${brand}sources: [{name: m, type: mastodon, hashtag: [x]}]\n`, /sources\[0\]\.hashtag: unknown key for a mastodon source \(did you mean 'hashtags'\?\)/],
    [`${brand}sources: [{name: a, type: hackernews}, {name: a, type: reddit}]\n`, /sources\[1\]\.name: duplicate source name 'a'/],
    [`${brand}sources: [{name: a, type: hackernews, brand: Nobody}]\n`, /sources\[0\]\.brand: 'Nobody' is not one of the declared brands/],
    [`${brand}sources: [{name: 'has space', type: hackernews}]\n`, /sources\[0\]\.name: use letters/],
    [`${brand}sources: [{name: y, type: youtube}]\n`, /sources\[0\]: give videoIds or channelId/],
    [`${brand}sources: [{name: s, type: appstore, apps: [{id: abc}]}]\n`, /sources\[0\]\.apps\[0\]\.id: an App Store app id is digits/],
    [`${brand}alerts: {webhooks: [{url: 'http://x.test', format: teams}]}\n`, /alerts\.webhooks\[0\]\.format/],
    [`${brand}server: {port: 70000}\n`, /server\.port/],
    ['brands: [{name: A\n', /YAML syntax error at line \d+, column \d+/],
  ])('%s', (yaml, want) => {
    expect(errorOf(yaml)).toMatch(want);
  });

  it('names a missing file and suggests init', () => {
    expect(() => loadConfig(path.join('/nonexistent', 'earshot.yaml'))).toThrow(/file not found \(run 'earshot init'/);
  });
});

describe('valid configs', () => {
  it('fills defaults and keeps type options', () => {
    const c = parse(`${brand}sources:\n  - {name: m, type: mastodon, baseUrl: 'https://mastodon.social', hashtags: [acme]}\n`);
    expect(c.brands[0]).toEqual({ name: 'Acme', aliases: [], query: 'acme', own: false });
    expect(c.sources[0]).toMatchObject({ name: 'm', type: 'mastodon', schedule: '*/15 * * * *', enabled: true, hashtags: ['acme'] });
    expect(c.server).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(c.alerts.webhooks).toEqual([]);
  });

  it.each([
    ['the bundled starter (earshot init)', STARTER_CONFIG_PATH],
    ['the demo config', path.resolve(import.meta.dirname, '../../demo/earshot.demo.yaml')],
  ])('%s validates', (_name, file) => {
    const c = loadConfig(file, { validateSource });
    expect(c.brands.length).toBeGreaterThanOrEqual(2);
    expect(fs.existsSync(file)).toBe(true);
  });
});
