// Both mail adapters against real endpoints: the SMTP pool against an in-process smtp-server (headers, both MIME
// parts, pool reuse, faults tagged for the classifier), the outbox against a temporary directory.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { createMailer } from '../../src/mail/create-mailer.js';
import { digestHeaders, listIdFor, messageIdFor } from '../../src/mail/headers.js';
import type { OutgoingMessage } from '../../src/mail/mailer.js';
import { listOutbox, OutboxMailer, pruneOutbox, readOutbox } from '../../src/mail/outbox-mailer.js';
import { SmtpMailer, type SmtpSendFailure } from '../../src/mail/smtp-mailer.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { testClock } from '../helpers/clock.js';

const clock = testClock('2026-11-28T07:45:01Z');

function message(to: string, sub = 'sub00001abc'): OutgoingMessage {
  return {
    to,
    from: 'Papers Digest <digest@example.org>',
    replyTo: 'editor@example.org',
    subject: 'Your papers for Saturday — 3 new',
    html: '<!doctype html><html><body><h1>Trending “papers”</h1><p>ünïcode &amp; more</p></body></html>',
    text: 'Trending "papers"\n\nünïcode & more\n',
    messageId: messageIdFor('digest', '2026-11-28', sub, 'example.org'),
    headers: digestHeaders({
      listUnsubscribeUrl: `https://digest.example.org/unsubscribe/tok.${sub}.sig-with-a-rather-long-signature-value-0123456789`,
      mailto: 'unsubscribe@example.org',
      mailtoSubject: `unsubscribe ${sub}`,
      listId: listIdFor('example.org'),
    }),
  };
}

describe('SMTP mailer', () => {
  let sink: SmtpSink;
  let mailer: SmtpMailer;
  before(async () => {
    sink = await startSmtpSink();
    mailer = new SmtpMailer({ url: sink.url, clock, log: silentLogger(), maxConnections: 2, maxMessages: 3 });
  });
  after(async () => {
    await mailer.close();
    await sink.close();
  });

  it('delivers a message with the list headers, the deterministic Message-ID and both MIME parts', async () => {
    const res = await mailer.send(message('reader@example.net'));
    assert.match(res.response, /^250 /);
    assert.equal(res.messageId, '<digest-2026-11-28-sub00001abc@example.org>');
    const [m] = await sink.waitFor(1);
    assert.deepEqual(m!.envelope, { mailFrom: 'digest@example.org', rcptTo: ['reader@example.net'] });
    const p = m!.parsed;
    assert.equal(p.messageId, '<digest-2026-11-28-sub00001abc@example.org>');
    assert.equal(p.subject, 'Your papers for Saturday — 3 new');
    assert.equal(p.date?.toISOString(), '2026-11-28T07:45:01.000Z');
    assert.equal(p.replyTo?.text, 'editor@example.org');
    assert.match(p.html || '', /<h1>Trending “papers”<\/h1>/);
    assert.equal(p.text, 'Trending "papers"\n\nünïcode & more\n');
    assert.match(m!.raw, /Content-Type: multipart\/alternative/);
    const raw = '\r\n' + m!.raw.replace(/\r\n[ \t]+/g, ' ');
    assert.match(raw, /\r\nList-Unsubscribe: <https:\/\/digest\.example\.org\/unsubscribe\/tok\.sub00001abc\.sig-with-a-rather-long-signature-value-0123456789>, <mailto:unsubscribe@example\.org\?subject=unsubscribe%20sub00001abc>\r\n/);
    assert.match(raw, /\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n/);
    assert.match(raw, /\r\nList-Id: Papers Digest <papers-digest\.example\.org>\r\n/i);
    assert.doesNotMatch(raw, /X-Mailer/);
    assert.equal((raw.match(/\r\nList-Unsubscribe:/g) ?? []).length, 1);
  });

  it('reuses pooled connections and never opens more than maxConnections', async () => {
    sink.reset();
    const sends = Array.from({ length: 10 }, (_, i) => mailer.send(message(`r${i}@example.net`, `sub0000${i}xyz`)));
    const results = await Promise.all(sends);
    assert.equal(results.length, 10);
    await sink.waitFor(10);
    assert.deepEqual(new Set(sink.messages.map((m) => m.envelope.rcptTo[0])).size, 10);
    assert.ok(sink.connections.maxOpen <= 2, `at most maxConnections open (${sink.connections.maxOpen})`);
    assert.ok(sink.connections.opened >= 3, `connections retired after maxMessages (${sink.connections.opened} opened)`);
  });

  it('tags failures: a refused recipient before DATA, a connection dropped after the data', async () => {
    sink.failNext({ stage: 'rcpt', code: 550, message: '5.1.1 <gone@example.net> no such user' });
    const rcpt = (await mailer.send(message('gone@example.net')).catch((e: unknown) => e)) as SmtpSendFailure;
    assert.equal(rcpt.responseCode, 550);
    assert.equal(rcpt.dataSent, false);

    sink.dropNextDuringData();
    const drop = (await mailer.send(message('lost@example.net')).catch((e: unknown) => e)) as SmtpSendFailure;
    assert.ok(drop instanceof Error);
    assert.equal(drop.dataSent, true);
    assert.equal(sink.dropped.length, 1);

    sink.failNext({ stage: 'data', code: 451, message: '4.7.1 slow down' });
    const data = (await mailer.send(message('slow@example.net')).catch((e: unknown) => e)) as SmtpSendFailure;
    assert.equal(data.responseCode, 451);
    // a reply came, so the data is known not to be accepted
    assert.equal(data.command, 'DATA');

    // the pool recovers from all of that
    const ok = await mailer.send(message('fine@example.net'));
    assert.match(ok.response, /^250 /);
  });

  it('signs with DKIM when configured (key read once, at start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-dkim-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    writeFileSync(join(dir, 'dkim.pem'), privateKey);
    const signed = createMailer(
      loadConfig({ SMTP_URL: sink.url, MAIL_FROM: 'Digest <digest@example.org>', DATA_DIR: dir, DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: join(dir, 'dkim.pem') }),
      silentLogger(),
      { clock },
    );
    try {
      assert.match(signed.describe, /DKIM s1\._domainkey\.example\.org/);
      sink.reset();
      await signed.send(message('signed@example.net', 'subDKIM0001'));
      const [m] = await sink.waitFor(1);
      const dkim = /^DKIM-Signature: (.*(?:\r\n[ \t].*)*)/m.exec(m!.raw)?.[1]?.replace(/\r\n[ \t]+/g, ' ') ?? '';
      assert.match(dkim, /\bd=example\.org;/);
      assert.match(dkim, /\bs=s1;/);
      assert.match(dkim, /\bh=[^;]*List-Unsubscribe/i, 'the list headers are signed');
    } finally {
      await signed.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails fast when the server is unreachable, with nothing sent', async () => {
    const dead = new SmtpMailer({ url: 'smtp://127.0.0.1:1', clock, log: silentLogger() });
    const err = (await dead.send(message('x@example.net')).catch((e: unknown) => e)) as SmtpSendFailure;
    assert.equal(err.code, 'ESOCKET');
    assert.notEqual(err.dataSent, true);
    await dead.close();
  });
});

describe('outbox mailer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pd-outbox-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each message as a complete .eml file and lists it newest first', async () => {
    const mailer = new OutboxMailer({ dir: join(dir, 'outbox'), clock });
    const a = await mailer.send(message('a@example.net', 'subAAAAAAAA'));
    clock.advance(61_000);
    const b = await mailer.send(message('b@example.net', 'subBBBBBBBB'));
    assert.match(a.response, /^outbox: 20261128T074501Z-digest-2026-11-28-subAAAAAAAA@example\.org\.eml$/);
    const files = readdirSync(join(dir, 'outbox'));
    assert.equal(files.length, 2, `no temp files left behind: ${files.join(', ')}`);
    const list = await listOutbox(join(dir, 'outbox'), { limit: 10 });
    assert.deepEqual(list.map((e) => e.name), [b.response.slice(8), a.response.slice(8)]);
    assert.equal(list[0]!.messageId, '<digest-2026-11-28-subBBBBBBBB@example.org>');
    assert.equal(list[0]!.to, 'b@example.net');
    const one = await readOutbox(join(dir, 'outbox'), list[1]!.name);
    assert.ok(one);
    const parsed = await simpleParser(one.raw);
    assert.equal(parsed.subject, 'Your papers for Saturday — 3 new');
    assert.ok(parsed.headerLines.some((h) => h.line === 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'));
    assert.match(parsed.html || '', /ünïcode/);
    assert.equal(await readOutbox(join(dir, 'outbox'), '../secrets.json'), null);
    assert.deepEqual(await listOutbox(join(dir, 'missing')), []);
  });

  it('deletes messages past the retention, at most hourly and never blocking a send; 0 keeps everything', async () => {
    const box = join(dir, 'retained');
    const t = testClock('2026-11-01T08:00:00Z');
    const pruned: number[] = [];
    const mailer = new OutboxMailer({ dir: box, clock: t, retentionDays: 14, onPrune: (n, err) => pruned.push(err ? -1 : n) });
    await mailer.send(message('old@example.net', 'subOLD000001'));
    t.set('2026-11-10T08:00:00Z');
    await mailer.send(message('mid@example.net', 'subMID000001'));
    t.set('2026-11-20T08:00:00Z'); // the first is now 19 days old, the second 10
    await mailer.send(message('new@example.net', 'subNEW000001'));
    await mailer.close(); // waits for a prune under way
    const names = readdirSync(box).sort();
    assert.deepEqual(names.map((n) => /sub[A-Z]{3}/.exec(n)![0]), ['subMID', 'subNEW']);
    assert.deepEqual(pruned, [0, 0, 1], 'a prune after each send an hour apart; the third removed the old one');
    t.advance(10 * 60_000);
    await mailer.send(message('soon@example.net', 'subSOON00001'));
    await mailer.close();
    assert.equal(pruned.length, 3, 'not again within the hour');
    assert.equal(await pruneOutbox(box, new Date('2026-12-31T00:00:00Z')), 3);
    assert.deepEqual(readdirSync(box), []);
    const keep = new OutboxMailer({ dir: box, clock: t, retentionDays: 0, onPrune: () => assert.fail('retention 0 never prunes') });
    await keep.send(message('keep@example.net', 'subKEEP00001'));
    await keep.close();
    assert.equal(readdirSync(box).length, 1);
  });

  it('createMailer picks the outbox without SMTP_URL and SMTP with it', async () => {
    const base = { DATA_DIR: dir, MAIL_FROM: 'Digest <digest@example.org>' };
    const outbox = createMailer(loadConfig(base), silentLogger());
    assert.equal(outbox.kind, 'outbox');
    const smtp = createMailer(loadConfig({ ...base, SMTP_URL: 'smtp://user:hunter2-password@mail.example.org:2525' }), silentLogger());
    assert.equal(smtp.kind, 'smtp');
    assert.doesNotMatch(smtp.describe, /hunter2/);
    await smtp.close();
    assert.throws(
      () => createMailer(loadConfig({ ...base, DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: join(dir, 'nope.pem') }), silentLogger()),
      /DKIM_PRIVATE_KEY_FILE: cannot read/,
    );
  });
});
