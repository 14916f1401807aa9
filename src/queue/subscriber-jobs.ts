// A reader's send jobs, for "Delete my data": BullMQ keeps finished send jobs (ids `digest-<subscriber>-<period>`,
// data = subscriber id) for days, and its event stream names each job id. Deleting a reader removes their jobs
// and the stream entries that name them. Job ids are found by a SCAN for the job hashes: deletion is rare.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sendJobId } from './catalog.js';

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
    await this.purgeEvents(subscriberId);
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
