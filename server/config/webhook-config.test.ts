import { describe, expect, it } from 'vitest';
import { parseServeConfig } from '../config.js';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

describe('webhook config', () => {
  it('takes --webhook-url several times, or TANDEM_WEBHOOK_URLS comma-separated', () => {
    const fromFlags = parseServeConfig(['--webhook-url', 'http://a.test/h', '--webhook-url', 'https://b.test/h'], { TANDEM_WEBHOOK_SECRET: SECRET });
    expect(fromFlags.webhooks).toEqual({ urls: ['http://a.test/h', 'https://b.test/h'], secret: SECRET });
    const fromEnv = parseServeConfig([], { TANDEM_WEBHOOK_URLS: 'http://a.test/h, https://b.test/h', TANDEM_WEBHOOK_SECRET: SECRET });
    expect(fromEnv.webhooks.urls).toEqual(['http://a.test/h', 'https://b.test/h']);
  });

  it('is off without URLs', () => {
    expect(parseServeConfig([], {}).webhooks).toEqual({ urls: [], secret: null });
  });

  it('refuses URLs without a secret, a secret that is not whsec_ base64 of 24+ bytes, and non-http URLs', () => {
    expect(() => parseServeConfig(['--webhook-url', 'http://a.test/h'], {})).toThrow(/needs TANDEM_WEBHOOK_SECRET/);
    expect(() => parseServeConfig(['--webhook-url', 'http://a.test/h'], { TANDEM_WEBHOOK_SECRET: 'whsec_c2hvcnQ=' })).toThrow(/TANDEM_WEBHOOK_SECRET/);
    expect(() => parseServeConfig(['--webhook-url', 'ftp://a.test/h'], { TANDEM_WEBHOOK_SECRET: SECRET })).toThrow(/--webhook-url.*not http/);
  });

  it('reads the secret only from the environment (a flag would show in ps)', () => {
    expect(() => parseServeConfig(['--webhook-secret', SECRET], {})).toThrow();
  });
});
