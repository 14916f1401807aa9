// The send worker as the worker role builds it (createServices → startSendRole): settings changed through the
// settings store reach the running worker live; a digest goes out through the default outbox transport (.eml
// under DATA_DIR/outbox) and its archive link renders through services.ledger.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { simpleParser } from 'mailparser';
import { createContext, type Context } from '../../src/context.js';
import { startSendRole } from '../../src/worker.js';
import type { SendWorker } from '../../src/digest/send-worker.js';
import { silentLogger } from '../../src/log.js';
import { outboxDir } from '../../src/mail/create-mailer.js';
import { listOutbox, readOutbox } from '../../src/mail/outbox-mailer.js';
import { DEFAULT_JOB_OPTIONS, QUEUES, sendJobId } from '../../src/queue/catalog.js';
import { createServices, type Services } from '../../src/services.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { papersFor } from './send-harness.js';

describe('send role (services, settings live, outbox)', () => {
  let redis: TestRedis;
  let dataDir: string;
  let ctx: Context;
  let services: Services;
  let send: SendWorker;
  let queue: Queue;

  before(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'pd-send-role-'));
    ctx = await createContext({
      env: { REDIS_URL: redis.url, REDIS_PREFIX: 'sendrole', DATA_DIR: dataDir, PUBLIC_URL: 'https://digest.example.org', MAIL_FROM: 'Papers Digest <digest@example.org>' },
      log: silentLogger(),
      manageRedis: false,
    });
    services = await createServices(ctx);
    send = await startSendRole(services);
    queue = new Queue(QUEUES.send, { connection: ctx.newRedis('test-queue', true), prefix: ctx.config.redisPrefix });
  });
  after(async () => {
    await send.stop();
    await queue.close();
    await ctx.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-applies rate, concurrency and pause when the settings change', async () => {
    await ctx.settings.set({ sendRatePerSecond: 5, sendConcurrency: 3, sendingPaused: true }, 'test');
    await waitFor(async () => send.worker.concurrency === 3 && (await queue.isPaused()), { message: 'settings applied' });
    assert.deepEqual(await queue.getGlobalRateLimit(), { max: 5, duration: 1000 });
    assert.equal(await queue.getGlobalConcurrency(), 3);
    await ctx.settings.set({ sendingPaused: false }, 'test');
    await waitFor(async () => !(await queue.isPaused()), { message: 'resumed' });
  });

  it('gives a dead worker\'s concurrency slots back within ≈ 15 s: short job locks, checked often', () => {
    // BullMQ's defaults (30 s lock, 30 s stalled check) held a killed worker's slots for up to a minute.
    assert.deepEqual([send.worker.opts.lockDuration, send.worker.opts.stalledInterval], [10_000, 5_000]);
  });

  it('delivers to the outbox and serves the archive view', async () => {
    const now = ctx.clock();
    const day = now.toISOString().slice(0, 10);
    await services.papers.replaceDay(day, papersFor(day), { source: 'test', url: 'test' });
    const { subscriber } = await services.subscribers.create({ email: 'reader@example.net', status: 'active', timezone: 'UTC', sendTime: '08:00', maxPapers: 3, topics: ['llm'] });
    await queue.add('digest', { subscriberId: subscriber.id, period: day, dueAt: now.toISOString() }, { ...DEFAULT_JOB_OPTIONS.send, jobId: sendJobId(subscriber.id, day) });
    const entry = await waitFor(async () => {
      const e = await services.ledger.get(subscriber.id, day);
      return e?.state === 'sent' ? e : null;
    }, { message: 'sent' });
    const [file] = await listOutbox(outboxDir(ctx.config));
    assert.equal(file?.messageId, `<digest-${day}-${subscriber.id}@example.org>`);
    const parsed = await simpleParser((await readOutbox(outboxDir(ctx.config), file!.name))!.raw);
    assert.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '', 'reader@example.net');
    const web = await services.ledger.archive(subscriber.id, day);
    for (const id of entry.paperIds) assert.ok(web?.includes(`https://huggingface.co/papers/${id}`));
    assert.ok(entry.selection.every((s) => s.reasons.some((r) => r.kind === 'topic' && r.topicId === 'llm')));
    assert.match(web ?? '', /Why: Language models — in the /, 'topic labels restored from the catalog');
    assert.doesNotMatch(web ?? '', /Why: llm /, 'not the bare topic id');
  });
});
