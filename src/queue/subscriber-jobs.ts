// A reader's send jobs, for "Delete my data": BullMQ keeps finished send jobs (ids `digest-<subscriber>-<period>`,
// data = subscriber id) for days, and its event stream names each job id. Deleting a reader removes their jobs,
// their editions from batch jobs, and the stream entries that name them. Job ids are found by a SCAN for the job hashes: deletion is rare.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SEND_BATCH_JOB_NAME, sendJobId, type SendBatchJob } from './catalog.js';

export class SubscriberJobs {
  constructor(
    private readonly redis: Redis,
    private readonly queue: () => Queue,
  ) {}

  /** Ids of this subscriber's send jobs still in the queue (any state). */
  async jobIds(subscriberId: string): Promise<string[]> {
    const q = this.queue();
    const head = q.toKey(sendJobId(subscriberId, ''));
    const out = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${head}*`, 'COUNT', 1000);
      cursor = next;
      for (const k of found) {
        const rest = k.slice(head.length);
        // the job hash itself, not its ':logs' / ':lock' companions
        if (/^(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2})$/.test(rest)) out.add(sendJobId(subscriberId, rest));
      }
    } while (cursor !== '0');
    return [...out];
  }

  async deleteFor(subscriberId: string): Promise<void> {
    const q = this.queue();
    for (const id of await this.jobIds(subscriberId)) {
      try {
        await q.remove(id);
      } catch {
        // locked by a worker right now: it finishes in seconds; its hash is removed with the retention
      }
    }
    await this.scrubBatches(subscriberId);
    await this.purgeEvents(subscriberId);
  }

  /**
   * Batch send jobs (the tick's fan-out of a large due range) name up to 50 readers each: this reader's editions
   * are taken out of those not running (or the job removed when it held only theirs). One running now finds the
   * reader gone and records nothing (send.ts); completed ones are removed at once anyway.
   */
  private async scrubBatches(subscriberId: string): Promise<void> {
    const q = this.queue();
    const PAGE = 200;
    for (let start = 0; ; start += PAGE) {
      const jobs = await q.getJobs(['waiting', 'delayed', 'prioritized', 'failed'], start, start + PAGE - 1);
      if (jobs.length === 0) return;
      for (const job of jobs) {
        if (job.name !== SEND_BATCH_JOB_NAME) continue;
        const editions = (job.data as Partial<SendBatchJob>).editions ?? [];
        const rest = editions.filter((e) => e.subscriberId !== subscriberId);
        if (rest.length === editions.length) continue;
        try {
          if (rest.length) await job.updateData({ editions: rest });
          else await job.remove();
        } catch {
          // taken by a worker meanwhile: see above
        }
      }
    }
  }

  /** XDEL every event-stream entry naming one of this subscriber's jobs (the stream is capped, ~10k entries). */
  private async purgeEvents(subscriberId: string): Promise<void> {
    const stream = this.queue().keys.events!;
    let start = '-';
    for (;;) {
      const batch = (await this.redis.xrange(stream, start, '+', 'COUNT', 1000)) as [string, string[]][];
      const doomed = batch.filter(([, fields]) => fields.some((f) => f.includes(subscriberId))).map(([id]) => id);
      if (doomed.length) await this.redis.xdel(stream, ...doomed);
      if (batch.length < 1000) return;
      start = `(${batch[batch.length - 1]![0]}`;
    }
  }
}
