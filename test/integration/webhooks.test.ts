// Provider webhooks end to end: a real redis-server, the real services and app, sample payloads written from each
// provider's documented format and signed here with keys generated for the test. Per provider: a good signature
// changes state, a bad one is refused (401) and changes nothing, a replay is refused (409) and changes nothing.
// SNS certificates come from a loopback HTTP server that the test's SnsSource allows (production allows only
// https://sns.<region>.amazonaws.com).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { signGeneric } from '../../src/bounces/generic.js';
import { signMailgun } from '../../src/bounces/mailgun.js';
import { signSvix } from '../../src/bounces/resend.js';
import { snsHttpsSource, snsStringToSign } from '../../src/bounces/sns.js';
import { createLogger } from '../../src/log.js';
import type { Subscriber } from '../../src/subscribers/subscriber.js';
import { buildApp } from '../../src/web/app.js';
import { webhookRoutes } from '../../src/web/webhooks/index.js';
import { testClock } from '../helpers/clock.js';
import { startWebHarness, type WebHarness } from './web-harness.js';

const DOMAIN = 'digest.test';
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SECRETS = {
  postmark: 'pm-hooks:Xq3vL9pWz7Rt2Ks8Yb5N',
  sendgridKey: ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  mailgun: 'key-' + randomBytes(16).toString('hex'),
  resend: 'whsec_' + randomBytes(24).toString('base64'),
  generic: randomBytes(32).toString('base64url'),
  topic: 'arn:aws:sns:eu-west-1:123456789012:ses-bounces',
};

describe('provider webhooks', () => {
  const clock = testClock(new Date());
  let h: WebHarness;
  let app: FastifyInstance;
  let certServer: Server;
  let certBase = '';
  let snsKey = '';
  let confirmations = 0;
  let certFetches = 0;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pd-sns-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '3', '-subj', '/CN=sns.amazonaws.com'], { stdio: 'ignore' });
    snsKey = readFileSync(join(dir, 'k.pem'), 'utf8');
    const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
    certServer = createServer((req, res) => {
      if (req.url?.startsWith('/SimpleNotificationService')) {
        certFetches++;
        res.end(cert);
      } else if (req.url?.startsWith('/confirm')) {
        confirmations++;
        res.end('<ConfirmSubscriptionResponse/>');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => certServer.listen(0, '127.0.0.1', r));
    const addr = certServer.address();
    certBase = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    h = await startWebHarness({
      prefix: 'wh',
      clock,
      env: {
        WEBHOOK_SES_TOPIC_ARNS: SECRETS.topic,
        WEBHOOK_POSTMARK_AUTH: SECRETS.postmark,
        WEBHOOK_SENDGRID_PUBLIC_KEY: SECRETS.sendgridKey,
        WEBHOOK_MAILGUN_SIGNING_KEY: SECRETS.mailgun,
        WEBHOOK_RESEND_SECRET: SECRETS.resend,
        WEBHOOK_GENERIC_SECRET: SECRETS.generic,
      },
    });
    const snsSource = snsHttpsSource({ allowed: (u) => u.startsWith(`${certBase}/`), clock });
    app = await buildApp({ log: createLogger({ level: 'silent' }), plugins: [webhookRoutes(h.services, { snsSource })] });
  });

  after(async () => {
    await app?.close();
    await h?.close();
    await new Promise<void>((r) => certServer.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await h.ctx.redis.flushdb();
    clock.set(new Date());
  });

  const newSubscriber = async (email: string): Promise<Subscriber> =>
    (await h.services.subscribers.create({ email, status: 'active', timezone: 'Europe/Paris', sendTime: '08:00' })).subscriber;
  const msgId = (s: Subscriber) => `<digest-2026-12-01-${s.id}@${DOMAIN}>`;

  /** Everything a webhook may change, to compare before and after. */
  async function state(s: Subscriber) {
    const sub = await h.services.subscribers.get(s.id);
    return {
      status: sub?.status,
      bounces: sub?.bounceCount,
      suppressed: await h.services.suppression.has(s.email),
      events: (await h.services.deliveryEvents.forSubscriber(s.id)).length,
      unmatched: (await h.services.deliveryEvents.unmatched()).length,
    };
  }

  type Kind = 'hard' | 'soft' | 'complaint';
  interface Req {
    headers: Record<string, string>;
    payload: string;
  }
  const ts = () => String(Math.floor(clock.now() / 1000));

  const providers: Record<string, (kind: Kind, s: Subscriber, opts?: { tamper?: boolean; id?: string }) => Req> = {
    ses: (kind, s, opts = {}) => {
      const mail = { messageId: 'ses-0100018c', source: `digest@${DOMAIN}`, destination: [s.email], commonHeaders: { messageId: msgId(s) } };
      const message =
        kind === 'complaint'
          ? { notificationType: 'Complaint', complaint: { feedbackId: 'fb-' + randomBytes(4).toString('hex'), complaintFeedbackType: 'abuse', timestamp: clock().toISOString(), complainedRecipients: [{ emailAddress: s.email }] }, mail }
          : {
              notificationType: 'Bounce',
              bounce: {
                bounceType: kind === 'hard' ? 'Permanent' : 'Transient',
                bounceSubType: kind === 'hard' ? 'General' : 'MailboxFull',
                feedbackId: 'fb-' + randomBytes(4).toString('hex'),
                timestamp: clock().toISOString(),
                bouncedRecipients: [{ emailAddress: s.email, action: 'failed', status: kind === 'hard' ? '5.1.1' : '4.2.2', diagnosticCode: `smtp; 550 5.1.1 <${s.email}>: user unknown` }],
              },
              mail,
            };
      const m: Record<string, string> = {
        Type: 'Notification',
        MessageId: opts.id ?? randomBytes(8).toString('hex'),
        TopicArn: SECRETS.topic,
        Subject: 'Amazon SES Email Event Notification',
        Message: JSON.stringify(message),
        Timestamp: clock().toISOString(),
        SignatureVersion: '2',
        SigningCertURL: `${certBase}/SimpleNotificationService-test.pem`,
        UnsubscribeURL: `${certBase}/unsubscribe`,
      };
      m.Signature = sign('RSA-SHA256', Buffer.from(snsStringToSign(m)), snsKey).toString('base64');
      if (opts.tamper) m.Message = m.Message!.replace('Permanent', 'Transient').replace('abuse', 'other');
      return { headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }, payload: JSON.stringify(m) };
    },
    postmark: (kind, s, opts = {}) => {
      const body =
        kind === 'complaint'
          ? { RecordType: 'SpamComplaint', ID: opts.id ?? Date.now() + Math.floor(Math.random() * 1e6), Type: 'SpamComplaint', TypeCode: 512, Email: s.email, BouncedAt: clock().toISOString(), MessageStream: 'outbound' }
          : { RecordType: 'Bounce', ID: opts.id ?? Date.now() + Math.floor(Math.random() * 1e6), Type: kind === 'hard' ? 'HardBounce' : 'SoftBounce', TypeCode: kind === 'hard' ? 1 : 4096, MessageID: '883953f4-6105-42a2-a16a-77a8eac79483', Email: s.email, Description: 'The server was unable to deliver your message', Details: 'smtp;550 5.1.1 user unknown', BouncedAt: clock().toISOString(), Inactive: kind === 'hard', MessageStream: 'outbound' };
      const auth = opts.tamper ? 'pm-hooks:wrong-password-0000' : SECRETS.postmark;
      return { headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(auth).toString('base64')}` }, payload: JSON.stringify(body) };
    },
    sendgrid: (kind, s, opts = {}) => {
      const e =
        kind === 'complaint'
          ? { email: s.email, timestamp: Math.floor(clock.now() / 1000), 'smtp-id': msgId(s), event: 'spamreport', sg_event_id: opts.id ?? randomBytes(8).toString('hex'), sg_message_id: 'sg.1' }
          : { email: s.email, timestamp: Math.floor(clock.now() / 1000), 'smtp-id': msgId(s), event: 'bounce', type: kind === 'hard' ? 'bounce' : 'blocked', status: '5.1.1', reason: '550 5.1.1 user unknown', sg_event_id: opts.id ?? randomBytes(8).toString('hex'), sg_message_id: 'sg.1' };
      const payload = JSON.stringify([e]) + '\r\n';
      const t = ts();
      const sig = sign('sha256', Buffer.from(t + payload), ec.privateKey).toString('base64');
      return { headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': sig, 'x-twilio-email-event-webhook-timestamp': opts.tamper ? String(Number(t) - 1) : t }, payload };
    },
    mailgun: (kind, s, opts = {}) => {
      const t = ts();
      const token = opts.id ?? randomBytes(25).toString('hex');
      const data =
        kind === 'complaint'
          ? { event: 'complained', id: 'ncV2XwymRUKbPek_MIM-Gw', timestamp: clock.now() / 1000, recipient: s.email, message: { headers: { 'message-id': msgId(s).slice(1, -1) } } }
          : { event: 'failed', severity: kind === 'hard' ? 'permanent' : 'temporary', reason: kind === 'hard' ? 'bounce' : 'generic', id: 'G9Bn5sl1TC6nu79C8C0bwg', timestamp: clock.now() / 1000, recipient: s.email, 'delivery-status': { code: kind === 'hard' ? 550 : 452, message: 'No such user', description: '' }, message: { headers: { 'message-id': msgId(s).slice(1, -1) } } };
      const signature = signMailgun(opts.tamper ? 'another-signing-key-0000' : SECRETS.mailgun, t, token);
      return { headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ signature: { timestamp: t, token, signature }, 'event-data': data }) };
    },
    resend: (kind, s, opts = {}) => {
      const body =
        kind === 'complaint'
          ? { type: 'email.complained', created_at: clock().toISOString(), data: { email_id: '56761188-7520-42d8-8898-ff6fc54ce618', from: `digest@${DOMAIN}`, to: [s.email], subject: 'Your digest', created_at: clock().toISOString() } }
          : { type: 'email.bounced', created_at: clock().toISOString(), data: { email_id: '56761188-7520-42d8-8898-ff6fc54ce618', from: `digest@${DOMAIN}`, to: [s.email], subject: 'Your digest', created_at: clock().toISOString(), bounce: { type: kind === 'hard' ? 'Permanent' : 'Transient', subType: kind === 'hard' ? 'General' : 'MailboxFull', message: 'The recipient mail server refused the message' } } };
      const payload = JSON.stringify(body);
      const id = opts.id ?? `msg_${randomBytes(8).toString('hex')}`;
      const t = ts();
      const sig = signSvix(SECRETS.resend, id, t, payload);
      return { headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': t, 'svix-signature': opts.tamper ? sig.slice(0, -4) + 'AAA=' : `v1,bm90LXRoZS1rZXk= ${sig}` }, payload };
    },
    generic: (kind, s, opts = {}) => {
      const type = kind === 'hard' ? 'hard-bounce' : kind === 'soft' ? 'soft-bounce' : 'complaint';
      const payload = JSON.stringify({ id: opts.id ?? `evt-${randomBytes(6).toString('hex')}`, events: [{ type, recipient: s.email, messageId: msgId(s), detail: '550 5.1.1 user unknown', code: 550 }] });
      const t = ts();
      return { headers: { 'content-type': 'application/json', 'x-webhook-timestamp': t, 'x-webhook-signature': signGeneric(opts.tamper ? 'x'.repeat(40) : SECRETS.generic, t, payload) }, payload };
    },
  };

  const post = (name: string, r: Req) => app.inject({ method: 'POST', url: `/webhooks/${name}`, headers: r.headers, payload: r.payload });

  for (const name of Object.keys(providers)) {
    const make = providers[name]!;
    describe(name, () => {
      it('a good signature: two hard bounces suppress the address; the event is recorded', async () => {
        const s = await newSubscriber(`hard.${name}@example.org`);
        const r1 = await post(name, make('hard', s));
        assert.equal(r1.statusCode, 200, r1.body);
        assert.deepEqual(JSON.parse(r1.body).outcomes, ['bounce-counted']);
        assert.deepEqual(await state(s), { status: 'active', bounces: 1, suppressed: false, events: 1, unmatched: 0 });
        const r2 = await post(name, make('hard', s));
        assert.equal(r2.statusCode, 200, r2.body);
        assert.deepEqual(await state(s), { status: 'bouncing', bounces: 2, suppressed: true, events: 2, unmatched: 0 });
        const entry = await h.services.suppression.get(s.email);
        assert.equal(entry?.provider, name);
        assert.equal(entry?.kind, 'hard-bounce');
        assert.equal(entry?.evidence?.type, 'hard-bounce');
        assert.ok(!JSON.stringify(entry).includes(`hard.${name}@`.slice(0, 8) + 'x'), 'evidence masks addresses');
      });

      it('soft bounces are recorded and never suppress', async () => {
        const s = await newSubscriber(`soft.${name}@example.org`);
        for (let i = 0; i < 3; i++) assert.equal((await post(name, make('soft', s))).statusCode, 200);
        assert.deepEqual(await state(s), { status: 'active', bounces: 0, suppressed: false, events: 3, unmatched: 0 });
      });

      it('a spam complaint suppresses at once and unsubscribes', async () => {
        const s = await newSubscriber(`spam.${name}@example.org`);
        const r = await post(name, make('complaint', s));
        assert.equal(r.statusCode, 200, r.body);
        assert.deepEqual(await state(s), { status: 'unsubscribed', bounces: 0, suppressed: true, events: 1, unmatched: 0 });
        assert.equal((await h.services.suppression.get(s.email))?.kind, 'complaint');
      });

      it('a bad signature is refused with 401 and changes nothing', async () => {
        const s = await newSubscriber(`bad.${name}@example.org`);
        const before = await state(s);
        const r = await post(name, make('complaint', s, { tamper: true }));
        assert.equal(r.statusCode, 401, r.body);
        assert.deepEqual(await state(s), before);
      });

      it('a replay is refused with 409 and changes nothing; a stale timestamp is refused with 401', async () => {
        const s = await newSubscriber(`replay.${name}@example.org`);
        const req = make('hard', s);
        assert.equal((await post(name, req)).statusCode, 200);
        const afterFirst = await state(s);
        const again = await post(name, req);
        assert.equal(again.statusCode, 409, again.body);
        assert.deepEqual(await state(s), afterFirst);
        if (name !== 'postmark') {
          // Postmark signs no timestamp (basic auth only): its replays are caught by the record id alone.
          const old = make('hard', s);
          clock.advance(2 * 3600_000);
          const stale = await post(name, old);
          assert.equal(stale.statusCode, 401, stale.body);
          assert.deepEqual(await state(s), afterFirst);
        }
      });
    });
  }

  it('an event for an unknown message or address is recorded (masked) and ignored', async () => {
    const s = await newSubscriber('known@example.org');
    const stranger = { ...s, id: 'AAAAAAAAAAAAAAAAAAAAAA', email: 'stranger@example.net' };
    const r = await post('generic', providers.generic!('complaint', stranger));
    assert.equal(r.statusCode, 200);
    assert.deepEqual(JSON.parse(r.body).outcomes, ['unknown-message']);
    const unmatched = await h.services.deliveryEvents.unmatched();
    assert.equal(unmatched.length, 1);
    assert.equal(unmatched[0]!.recipient, 's***@example.net');
    assert.equal(await h.services.suppression.has('stranger@example.net'), false);
    assert.deepEqual(await state(s), { status: 'active', bounces: 0, suppressed: false, events: 0, unmatched: 1 });
  });

  it('asynchronous hard bounces reach the threshold although every send was accepted (the send path clears the count on acceptance)', async () => {
    const s = await newSubscriber('relay@example.org');
    const bounce = (period: string) => {
      const payload = JSON.stringify({ id: `evt-${period}-${randomBytes(4).toString('hex')}`, events: [{ type: 'hard-bounce', recipient: s.email, messageId: `<digest-${period}-${s.id}@${DOMAIN}>` }] });
      const t = ts();
      return post('generic', { headers: { 'content-type': 'application/json', 'x-webhook-timestamp': t, 'x-webhook-signature': signGeneric(SECRETS.generic, t, payload) }, payload });
    };
    assert.equal((await bounce('2026-12-01')).statusCode, 200);
    await h.services.subscribers.clearBounces(s.id); // the next digest was accepted by the relay
    assert.equal((await bounce('2026-12-01')).statusCode, 200, 'the same message reported again');
    assert.equal((await state(s)).suppressed, false, 'one message counts once');
    await h.services.subscribers.clearBounces(s.id);
    assert.equal((await bounce('2026-12-02')).statusCode, 200);
    assert.deepEqual(await state(s), { status: 'bouncing', bounces: 1, suppressed: true, events: 3, unmatched: 0 });
  });

  it('matches by Message-ID when the provider reports a different spelling of the address', async () => {
    const s = await newSubscriber('match@example.org');
    const req = providers.generic!('complaint', { ...s, email: 'Match@EXAMPLE.org' });
    assert.equal((await post('generic', req)).statusCode, 200);
    assert.equal((await state(s)).status, 'unsubscribed');
  });

  it('SNS: a SubscriptionConfirmation is verified, then confirmed once; a forged one is not; certificates are cached', async () => {
    const m: Record<string, string> = {
      Type: 'SubscriptionConfirmation',
      MessageId: randomBytes(8).toString('hex'),
      Token: randomBytes(32).toString('hex'),
      TopicArn: SECRETS.topic,
      Message: 'You have chosen to subscribe to the topic. To confirm the subscription, visit the SubscribeURL included in this message.',
      SubscribeURL: `${certBase}/confirm?Action=ConfirmSubscription&Token=abc`,
      Timestamp: clock().toISOString(),
      SignatureVersion: '1',
      SigningCertURL: `${certBase}/SimpleNotificationService-test.pem`,
    };
    const forged = { ...m, Signature: sign('RSA-SHA1', Buffer.from(snsStringToSign({ ...m, SubscribeURL: `${certBase}/elsewhere` })), snsKey).toString('base64') };
    const before = confirmations;
    assert.equal((await post('ses', { headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(forged) })).statusCode, 401);
    assert.equal(confirmations, before);
    const signed = { ...m, Signature: sign('RSA-SHA1', Buffer.from(snsStringToSign(m)), snsKey).toString('base64') };
    const ok = await post('ses', { headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(signed) });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(confirmations, before + 1);
    const fetches = certFetches;
    await post('ses', { headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(signed) });
    assert.equal(confirmations, before + 1, 'a replayed confirmation is refused');
    assert.equal(certFetches, fetches, 'the certificate came from the cache');
  });

  it('SNS: an unconfigured topic or a certificate URL off the allowed host is refused before any fetch', async () => {
    const s = await newSubscriber('sns.host@example.org');
    const fetches = certFetches;
    const base = JSON.parse(providers.ses!('hard', s).payload) as Record<string, string>;
    for (const patch of [{ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:other' }, { SigningCertURL: 'https://evil.example/cert.pem' }]) {
      const r = await post('ses', { headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ ...base, ...patch }) });
      assert.equal(r.statusCode, 401);
    }
    assert.equal(certFetches, fetches);
    assert.equal((await state(s)).bounces, 0);
  });
});

describe('provider webhooks without secrets', () => {
  it('every endpoint is off (404) until its secret is set', async () => {
    const h = await startWebHarness({ prefix: 'wh0' });
    try {
      for (const name of ['ses', 'postmark', 'sendgrid', 'mailgun', 'resend', 'generic']) {
        const r = await h.app.inject({ method: 'POST', url: `/webhooks/${name}`, headers: { 'content-type': 'application/json' }, payload: '{}' });
        assert.equal(r.statusCode, 404, name);
      }
    } finally {
      await h.close();
    }
  });
});
