import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, mailDomain } from '../../src/config.js';

describe('loadConfig', () => {
  it('has embedded defaults for everything but secrets', () => {
    const c = loadConfig({}, '/srv/app');
    assert.equal(c.redisUrl, null);
    assert.equal(c.smtpUrl, null);
    assert.equal(c.port, 3000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.dataDir, '/srv/app/data');
    assert.equal(c.hfBaseUrl, 'https://huggingface.co');
    assert.equal(c.linkSecrets, null);
    assert.equal(c.adminToken, null);
    assert.equal(c.redisPrefix, 'pd');
  });

  it('reports every problem at once, each under its variable', () => {
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', LINK_SECRETS: 'k1:short', ADMIN_TOKEN: 'changeme', LOG_LEVEL: 'loud' });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      for (const name of ['PORT', 'REDIS_URL', 'LINK_SECRETS', 'ADMIN_TOKEN', 'LOG_LEVEL']) assert.match(text, new RegExp(`^${name}:`, 'm'));
    }
  });

  it('parses rotating link secrets, newest first, and refuses duplicates', () => {
    const a = 'a'.repeat(8) + 'bcdefghijklmnopqrstuvwxyz0123456789';
    const c = loadConfig({ LINK_SECRETS: `k2:${a},k1:${a.split('').reverse().join('')}` });
    assert.deepEqual(c.linkSecrets?.map((s) => s.kid), ['k2', 'k1']);
    assert.throws(() => loadConfig({ LINK_SECRETS: `k1:${a},k1:${a}` }), /appears twice/);
  });

  it('believes X-Forwarded-For only when told which proxies to trust', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'yes please' }), /TRUST_PROXY/);
  });

  it('accepts a Redis Cluster hash-tag prefix and derives the mail domain', () => {
    assert.equal(loadConfig({ REDIS_PREFIX: '{pd}' }).redisPrefix, '{pd}');
    assert.throws(() => loadConfig({ REDIS_PREFIX: 'a b' }), /REDIS_PREFIX/);
    assert.equal(mailDomain(loadConfig({ MAIL_FROM: 'Digest <news@papers.example.org>' })), 'papers.example.org');
    assert.equal(mailDomain(loadConfig({ PUBLIC_URL: 'https://digest.example.org' })), 'digest.example.org');
    assert.equal(mailDomain(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' })), 'localhost.localdomain', 'no sender at an IP literal');
    assert.equal(mailDomain(loadConfig({ PUBLIC_URL: 'http://[::1]:3000' })), 'localhost.localdomain');
  });
});
