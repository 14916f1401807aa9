// Request logs hold no capability (issue 11): every signed token in a request URL is redacted, whatever the route
// (including signed-link routes added later), and no log line carries an email address, nodemailer's
// `err.rejected` and `response` included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log.js';
import { redactUrlTokens } from '../../../src/util/redact.js';
import { buildApp } from '../../../src/web/app.js';

const TOKEN = 'djEuYy5aR0ZzTUc5S1FYZFVTak4wLjAuMjAzNS0wMS0wMS5rMi7vY2fTYW2sNnQoBYQz1qsRr3K2nN0Pp3zHq8pVz4pX';

function capture() {
  const lines: string[] = [];
  const log = createLogger({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  return { log, lines };
}

describe('request logs', () => {
  it('redact every token in request URLs, on known and unknown routes alike', async () => {
    const { log, lines } = capture();
    const app = await buildApp({
      log,
      plugins: [(a) => { a.get('/confirm/:token', async () => 'ok'); a.get('/archive/:token/:period', async () => 'ok'); }],
    });
    const paths = [
      `/confirm/${TOKEN}`, `/preferences/${TOKEN}`, `/unsubscribe/${TOKEN}`, `/archive/${TOKEN}/2026-09-28`,
      `/feedback/${TOKEN}/2609.01234`, `/feed/${TOKEN}.xml`, `/reading-list/${TOKEN}`, `/export?token=${TOKEN}`,
    ];
    for (const url of paths) await app.inject({ method: 'GET', url });
    await app.close();
    const all = lines.join('');
    assert.ok(lines.length >= paths.length, 'requests were logged');
    assert.ok(!all.includes(TOKEN.slice(0, 24)), 'no token (or its start) in the request log');
    assert.match(all, /"url":"\/archive\/\[token\]\/2026-09-28"/);
    assert.match(all, /"url":"\/feedback\/\[token\]\/2609\.01234"/);
  });

  it('redactUrlTokens keeps short segments (ids, periods, page names) readable', () => {
    assert.equal(redactUrlTokens('/admin/subscribers/ULp39dXR398ySpf624rFLg'), '/admin/subscribers/ULp39dXR398ySpf624rFLg');
    assert.equal(redactUrlTokens(`/feed/${TOKEN}.json?x=1`), '/feed/[token]?x=1');
    assert.equal(redactUrlTokens('/'), '/');
  });
});

describe('addresses in logs', () => {
  it('are masked in every field, nodemailer errors included', () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <dee@example.org>: no such user"), {
      code: 'EENVELOPE',
      response: '550 5.1.1 <dee@example.org>: no such user',
      rejected: ['dee@example.org'],
      rejectedErrors: [{ recipient: 'dee@example.org' }],
      envelope: { from: 'digest@digest.test', to: ['dee@example.org'] },
    });
    log.warn({ err, detail: { recipients: ['ann@example.org'] } }, 'send failed');
    const all = lines.join('');
    assert.ok(!all.includes('dee@example.org') && !all.includes('ann@example.org'), all);
    assert.match(all, /"rejected":\["d\*\*\*@example\.org"\]/);
    assert.match(all, /a\*\*\*@example\.org/);
  });
});
