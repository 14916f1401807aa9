import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskedDetail, parseOurMessageId } from '../../../src/bounces/event.js';
import { isSnsUrl, snsStringToSign } from '../../../src/bounces/sns.js';

describe('SNS certificate host', () => {
  it('accepts only https on sns.<region>.amazonaws.com', () => {
    assert.ok(isSnsUrl('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'));
    assert.ok(isSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem'));
    for (const bad of [
      'http://sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/x.pem',
      'https://evil.example/sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com:8443/x.pem',
      'https://user:pw@sns.us-east-1.amazonaws.com/x.pem',
      'https://s3.amazonaws.com/x.pem',
      'not a url',
    ]) {
      assert.equal(isSnsUrl(bad), false, bad);
    }
  });

  it('builds the canonical string in SNS order, Subject only when present', () => {
    const base = { Type: 'Notification', MessageId: 'm', TopicArn: 't', Message: 'x', Timestamp: '2026-01-01T00:00:00Z', Signature: 'ignored' };
    assert.equal(snsStringToSign(base), 'Message\nx\nMessageId\nm\nTimestamp\n2026-01-01T00:00:00Z\nTopicArn\nt\nType\nNotification\n');
    assert.match(snsStringToSign({ ...base, Subject: 's' }), /MessageId\nm\nSubject\ns\nTimestamp/);
  });
});

describe('our Message-ID', () => {
  it('parses digest, weekly and notice ids of our domain only', () => {
    assert.deepEqual(parseOurMessageId('<digest-2026-11-28-Ab_c-12345678@mail.example.org>', 'mail.example.org'), { kind: 'digest', period: '2026-11-28', subscriberId: 'Ab_c-12345678' });
    assert.deepEqual(parseOurMessageId('nothing-new-2026-W48-Abcdefgh12@mail.example.org', 'mail.example.org')?.period, '2026-W48');
    assert.equal(parseOurMessageId('<confirm-lx2k3j-Abcdefgh12@mail.example.org>', 'mail.example.org')?.subscriberId, 'Abcdefgh12');
    assert.equal(parseOurMessageId('<digest-2026-11-28-Abcdefgh12@other.example>', 'mail.example.org'), null);
    assert.equal(parseOurMessageId('<0100018c-ses@email.amazonses.com>', 'mail.example.org'), null);
    assert.equal(parseOurMessageId(null, 'mail.example.org'), null);
  });

  it('masks addresses in provider text', () => {
    assert.equal(maskedDetail('smtp; 550 5.1.1 <jane.doe@example.org>: user unknown'), 'smtp; 550 5.1.1 <j***@example.org>: user unknown');
  });
});
