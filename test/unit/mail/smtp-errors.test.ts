// The classifier on error objects shaped exactly as nodemailer 7 produces them (captured against the test sink;
// test/integration/mail-smtp-errors.test.ts classifies the live ones).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifySmtpError, maskAddresses } from '../../../src/mail/smtp-errors.js';

function smtpError(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

describe('classifySmtpError', () => {
  it('451 after DATA is throttling', () => {
    const c = classifySmtpError(smtpError('Message failed: 451 4.7.1 try later', { code: 'EMESSAGE', responseCode: 451, command: 'DATA', response: '451 4.7.1 try later' }));
    assert.deepEqual(c, { kind: 'throttled', code: 451, enhanced: '4.7.1', message: '451 4.7.1 try later', bounce: false });
  });

  it('421 at MAIL FROM is throttling', () => {
    const c = classifySmtpError(smtpError('Mail command failed: 421 4.7.0 too many', { code: 'EENVELOPE', responseCode: 421, command: 'MAIL FROM', response: '421 4.7.0 too many' }));
    assert.equal(c.kind, 'throttled');
  });

  it('a 4xx with a rate text is throttling; a plain 4xx is transient', () => {
    assert.equal(classifySmtpError(smtpError('x', { responseCode: 450, command: 'RCPT TO', response: '450 Too many connections, slow down' })).kind, 'throttled');
    const plain = classifySmtpError(smtpError('x', { responseCode: 452, command: 'RCPT TO', response: '452 4.2.2 mailbox full' }));
    assert.equal(plain.kind, 'transient');
    assert.equal(plain.enhanced, '4.2.2');
  });

  it('550 for the recipient is a permanent bounce, with the address masked', () => {
    const c = classifySmtpError(
      smtpError("Can't send mail - all recipients were rejected: 550 5.1.1 <bob@example.net>: no such user", {
        code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 <bob@example.net>: no such user', rejected: ['bob@example.net'],
      }),
    );
    assert.deepEqual(c, { kind: 'permanent', code: 550, enhanced: '5.1.1', message: '550 5.1.1 <[address]>: no such user', bounce: true });
  });

  it('failures about us (AUTH, our MAIL FROM) hold the queue: throttled, never a bounce', () => {
    const cases = [
      smtpError('x', { code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM', response: '553 5.7.1 sender rejected' }),
      smtpError('x', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN', response: '535 5.7.8 bad credentials' }),
      smtpError('Missing credentials for "PLAIN"', { code: 'EAUTH', command: 'API' }),
      smtpError('x', { code: 'EENVELOPE', responseCode: 554, command: 'RCPT TO', response: '554 5.7.1 <a@b.example>: Relay access denied' }),
    ];
    assert.deepEqual(cases.map((e) => [classifySmtpError(e).kind, classifySmtpError(e).bounce]), [['throttled', false], ['throttled', false], ['throttled', false], ['throttled', false]]);
  });

  it('a content or policy refusal is permanent but not a bounce; a mailbox refusal is', () => {
    const policy = classifySmtpError(smtpError('x', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.7.1 recipient policy rejection' }));
    assert.deepEqual([policy.kind, policy.bounce], ['permanent', false]);
    const content = classifySmtpError(smtpError('x', { code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 5.7.1 message rejected as spam' }));
    assert.deepEqual([content.kind, content.bounce], ['permanent', false]);
    const mailbox = classifySmtpError(smtpError('x', { code: 'EMESSAGE', responseCode: 550, command: 'DATA', response: '550 5.1.1 user unknown' }));
    assert.deepEqual([mailbox.kind, mailbox.bounce], ['permanent', true]);
  });

  it('connection errors before the data are transient', () => {
    const refused = smtpError('connect ECONNREFUSED 127.0.0.1:1', { errno: -111, code: 'ESOCKET', syscall: 'connect', address: '127.0.0.1', port: 1, command: 'CONN' });
    assert.deepEqual(classifySmtpError(refused), { kind: 'transient', code: null, enhanced: null, message: 'connect ECONNREFUSED 127.0.0.1:1', bounce: false });
    assert.equal(classifySmtpError(smtpError('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN', dataSent: false })).kind, 'transient');
    assert.equal(classifySmtpError(smtpError('Timeout', { code: 'ETIMEDOUT', command: 'CONN' })).kind, 'transient');
  });

  it('a connection lost after the data was sent is unknown', () => {
    assert.equal(classifySmtpError(smtpError('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN', dataSent: true })).kind, 'unknown');
    assert.equal(classifySmtpError(smtpError('Timeout', { code: 'ETIMEDOUT', command: 'CONN', dataSent: true })).kind, 'unknown');
    // an error raised by the DATA stage with no reply at all
    assert.equal(classifySmtpError(smtpError('Connection closed', { code: 'ECONNECTION', command: 'DATA' })).kind, 'unknown');
  });

  it('a reply after the data wins over dataSent: the server said no', () => {
    const c = classifySmtpError(smtpError('Message failed: 552 5.2.2 mailbox full', { code: 'EMESSAGE', responseCode: 552, command: 'DATA', response: '552 5.2.2 mailbox full', dataSent: true }));
    assert.equal(c.kind, 'permanent');
    assert.equal(c.bounce, true);
  });

  it('a message that cannot be built is permanent, not a bounce', () => {
    const c = classifySmtpError(Object.assign(new Error('recipient and subject must not contain line breaks'), { code: 'EMESSAGE' }));
    assert.deepEqual([c.kind, c.bounce], ['permanent', false]);
  });

  it('anything else (not an SMTP error) is retried', () => {
    assert.equal(classifySmtpError(new TypeError('boom')).kind, 'transient');
    assert.equal(classifySmtpError('weird').kind, 'transient');
  });

  it('masks addresses', () => {
    assert.equal(maskAddresses('550 <a.b+c@x.example> and d@e.f, bye'), '550 <[address]> and [address], bye');
  });
});
