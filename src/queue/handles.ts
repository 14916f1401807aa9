// Queue handles for reading and managing queues from outside the workers (Bull Board, the dashboard, readiness,
// the CLI's retry-failed and `schedule show`); the workers themselves use worker.ts. The BullMQ prefix is
// REDIS_PREFIX, so a `{hash-tag}` prefix keeps each queue's keys in one Redis Cluster slot.
import { Queue } from 'bullmq';
import type { Logger } from '../log.js';
import { throttledErrorLog } from '../util/error-throttle.js';
import type { Redis } from 'ioredis';
import { QUEUE_STREAMS, QUEUES, type QueueName } from './catalog.js';

export type OpsQueues = Record<QueueName, Queue> & { close(): Promise<void> };

export const QUEUE_NAMES = Object.values(QUEUES) as QueueName[];

export function openQueues(connection: Redis, prefix: string, log?: Pick<Logger, 'error' | 'warn'>): OpsQueues {
  const queues = Object.fromEntries(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix, streams: QUEUE_STREAMS })])) as Record<QueueName, Queue>;
  // Without a listener BullMQ prints every connection error raw to stderr (each reconnect during a Redis outage).
  if (log) for (const name of QUEUE_NAMES) queues[name].on('error', throttledErrorLog(log, 'warn', `${name} queue error`));
  return {
    ...queues,
    async close() {
      await Promise.all(QUEUE_NAMES.map((n) => queues[n].close()));
    },
  };
}
