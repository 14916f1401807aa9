// Live errors from the SMTP adapter against the in-process sink, classified: each fault lands in its class.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log.js';
import { classifySmtpError } from '../../src/mail/smtp-errors.js';
import { SmtpMailer } from '../../src/mail/smtp-mailer.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

describe('classifier on live nodemailer errors', () => {
  let sink: SmtpSink;
  let mailer: SmtpMailer;
  const send = (to: string) =>
    mailer
      .send({ to, from: 'd@example.org', subject: 's', html: '<p>h</p>', text: 't', messageId: '<digest-2026-11-28-abcdefgh@example.org>', headers: {} })
      .then(() => null, (err: unknown) => classifySmtpError(err));
  before(async () => {
    sink = await startSmtpSink();
    mailer = new SmtpMailer({ url: sink.url, clock: () => new Date('2026-11-28T08:00:00Z'), log: silentLogger() });
  });
  after(async () => {
    await mailer.close();
    await sink.close();
  });

  it('maps each injected fault to its class', async () => {
    sink.failNext({ stage: 'data', code: 451, message: '4.7.1 try later' });
    assert.equal((await send('a@example.net'))?.kind, 'throttled');
    sink.failNext({ stage: 'mail', code: 421, message: '4.7.0 too many connections' });
    assert.equal((await send('a@example.net'))?.kind, 'throttled');
    sink.failNext({ stage: 'rcpt', code: 450, message: '4.2.1 mailbox busy' });
    assert.equal((await send('a@example.net'))?.kind, 'transient');
    sink.failNext({ stage: 'rcpt', code: 550, message: '5.1.1 no such user' });
    const bounce = await send('a@example.net');
    assert.equal(bounce?.kind, 'permanent');
    assert.equal(bounce?.bounce, true);
    sink.failNext({ stage: 'data', code: 554, message: '5.7.1 content rejected' });
    assert.equal((await send('a@example.net'))?.kind, 'permanent');
    sink.dropNextDuringData();
    assert.equal((await send('a@example.net'))?.kind, 'unknown');
    assert.equal(await send('a@example.net'), null);
    await sink.waitFor(1);
    assert.equal(sink.messages.length, 1);
    assert.equal(sink.dropped.length, 1);
  });

  it('bad credentials hold the queue (throttled, not a bounce); good ones send', async () => {
    const secured = await startSmtpSink({ auth: { user: 'digest', pass: 'right-password' } });
    const msg = { to: 'a@example.net', from: 'd@example.org', subject: 's', html: 'h', text: 't', messageId: '<x-2@example.org>', headers: {} };
    const wrong = new SmtpMailer({ url: `smtp://digest:wrong@127.0.0.1:${secured.port}`, clock: () => new Date(), log: silentLogger() });
    const right = new SmtpMailer({ url: `smtp://digest:right-password@127.0.0.1:${secured.port}`, clock: () => new Date(), log: silentLogger() });
    try {
      const c = await wrong.send(msg).then(() => null, (err: unknown) => classifySmtpError(err));
      assert.deepEqual([c?.kind, c?.code, c?.bounce], ['throttled', 535, false]);
      assert.match((await right.send(msg)).response, /^250 /);
      assert.equal(secured.messages.length, 1);
    } finally {
      await wrong.close();
      await right.close();
      await secured.close();
    }
  });

  it('an unreachable server is transient', async () => {
    const dead = new SmtpMailer({ url: 'smtp://127.0.0.1:1', clock: () => new Date(), log: silentLogger() });
    const c = await dead.send({ to: 'a@example.net', from: 'd@example.org', subject: 's', html: 'h', text: 't', messageId: '<x-1@example.org>', headers: {} }).then(
      () => null,
      (err: unknown) => classifySmtpError(err),
    );
    assert.equal(c?.kind, 'transient');
    await dead.close();
  });
});
