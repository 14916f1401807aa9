// BullMQ queue handles for the operator surface (Bull Board, queue-depth gauges, readiness, `schedule show`).
// These only read and manage queues; the workers that process them live in the worker role. The BullMQ prefix
// is REDIS_PREFIX, so a `{hash-tag}` prefix keeps each queue's keys in one Redis Cluster slot.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, SCRAPE_SCHEDULER_ID, TICK_SCHEDULER_ID, type QueueName } from '../queue/catalog.js';

export type OpsQueues = Record<QueueName, Queue> & { close(): Promise<void> };

export const QUEUE_NAMES = Object.values(QUEUES) as QueueName[];

export function openQueues(connection: Redis, prefix: string): OpsQueues {
  const queues = Object.fromEntries(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })])) as Record<QueueName, Queue>;
  return {
    ...queues,
    async close() {
      await Promise.all(QUEUE_NAMES.map((n) => queues[n].close()));
    },
  };
}

export interface QueueDepth {
  queue: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  prioritized: number;
}

export async function queueDepths(queues: OpsQueues): Promise<QueueDepth[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (queue) => {
      const c = await queues[queue].getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      return { queue, waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, prioritized: c.prioritized ?? 0 };
    }),
  );
}

export interface SchedulerInfo {
  id: string;
  queue: QueueName;
  present: boolean;
  pattern: string | null;
  every: number | null;
  tz: string | null;
  next: Date | null;
}

/** The two job schedulers the worker role keeps upserted: the scrape cron and the UTC tick. */
export async function schedulers(queues: OpsQueues): Promise<SchedulerInfo[]> {
  const wanted: [QueueName, string][] = [
    [QUEUES.scrape, SCRAPE_SCHEDULER_ID],
    [QUEUES.tick, TICK_SCHEDULER_ID],
  ];
  return Promise.all(
    wanted.map(async ([queue, id]) => {
      const s = await queues[queue].getJobScheduler(id);
      return {
        id,
        queue,
        present: Boolean(s),
        pattern: s?.pattern ?? null,
        every: s?.every ? Number(s.every) : null,
        tz: s?.tz ?? null,
        next: s?.next ? new Date(Number(s.next)) : null,
      };
    }),
  );
}
