// Read models over the queues for the operator surface (queue-depth gauges, readiness, the dashboard,
// `schedule show`): depths per state, and the two job schedulers the worker role keeps upserted.
import { QUEUES, SCRAPE_SCHEDULER_ID, TICK_SCHEDULER_ID, type QueueName } from '../queue/catalog.js';
import { QUEUE_NAMES, type OpsQueues } from '../queue/handles.js';

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
