// What several bench sections share: this process's CPU time and a median, Redis' own CPU and command counters, a CPU profile of the measured part, and the subscriber population's
// preference profiles (all five kinds of selection: everything, one topic, two topics, a minimum, a keyword).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Redis } from 'ioredis';

/** CPU time of this process (user + system), µs: less distorted than wall time on a shared, loaded machine. */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** The middle value (the upper middle for an even count); leaves its argument as it was. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Subscriber preference profiles, assigned round-robin. */
export const BENCH_PREFS: Record<string, unknown>[] = [
  {},
  { topics: ['llm'] },
  { topics: ['vision', 'multimodal'] },
  { topics: ['agents', 'reasoning'], minUpvotes: 3 },
  { includeKeywords: ['diffusion'], topics: ['generation'] },
];

/** Zones spread over the day (whole-hour offsets and the usual half-hour one). */
export const BENCH_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Auckland'];

/** Calls per Redis command so far (INFO commandstats), commands run inside scripts included. */
export async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const out = new Map<string, number>();
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** CPU seconds the Redis server has used so far (user + system). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const num = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return num('used_cpu_user') + num('used_cpu_sys');
}

/**
 * A V8 CPU profile of the measured part alone, when `file` is set (open it in Chrome DevTools). Returns stop(),
 * which writes it; without a file both are no-ops.
 */
export async function startCpuProfile(file: string | undefined): Promise<() => Promise<void>> {
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
