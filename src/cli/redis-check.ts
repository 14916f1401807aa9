// `papers-digest redis-check`: which Redis we would use and whether it is fit to be the store of record
// (version, eviction policy, persistence). Exit 1 when anything is wrong, so it can gate a deploy.
import { redactUrl } from '../util/redact.js';
import { withCliContext } from './context.js';
import { parseCommandArgs, writeJson, type CliCommand } from './command.js';

export const command: CliCommand = {
  name: 'redis-check',
  summary: 'check the Redis in use: version, eviction policy, persistence (exit 1 on problems)',
  help: `papers-digest redis-check [--json]

Connects to the Redis papers-digest would use (REDIS_URL, else 127.0.0.1:6379, else the private redis-server
under DATA_DIR/redis) and checks what the store of record needs: Redis ≥ 6.2, maxmemory-policy noeviction
(otherwise subscribers, ledgers and jobs can be evicted), and persistence (appendonly yes, appendfsync everysec).
Exits 0 when all is well, 1 when there are problems (each printed with what to change).`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean', default: false } }, false);
    return withCliContext(io, async (ctx) => {
      const check = ctx.redisCheck;
      const started = process.hrtime.bigint();
      await ctx.redis.ping();
      const pingMs = Number(process.hrtime.bigint() - started) / 1e6;
      const target = { kind: ctx.redisTarget.kind, url: redactUrl(ctx.redisTarget.url), prefix: ctx.config.redisPrefix };
      // On a cluster every key lives in the prefix's hash-tag slot; the context connected to its primary.
      const cluster = check.cluster
        ? { slot: Number(await ctx.redis.call('CLUSTER', 'KEYSLOT', `${ctx.config.redisPrefix}:settings`)), node: `${ctx.redis.options.host ?? '?'}:${ctx.redis.options.port ?? '?'}` }
        : null;
      if (values.json) {
        writeJson(io, { ok: check.problems.length === 0, target, pingMs: Math.round(pingMs * 100) / 100, ...check, clusterSlot: cluster });
      } else {
        const yes = (b: boolean) => (b ? 'ok' : 'PROBLEM');
        io.stdout.write(
          [
            `Redis:        ${target.url} (${target.kind}), key prefix ${target.prefix}`,
            `Version:      ${check.version} ${yes(check.versionOk)}`,
            `Eviction:     ${check.evictionPolicy ?? 'unknown'} ${yes(check.evictionOk)}`,
            `Persistence:  AOF ${check.aof ? 'on' : 'off'}, RDB ${check.rdb ? 'on' : 'off'} ${yes(check.persistenceOk && check.aof)}`,
            `Cluster:      ${cluster ? `yes — the prefix's slot ${cluster.slot} is served by ${cluster.node}` : 'no'}`,
            `Ping:         ${pingMs.toFixed(2)} ms`,
            ...(check.problems.length ? ['', 'Problems:', ...check.problems.map((p) => `  - ${p}`)] : ['', 'All good.']),
          ].join('\n') + '\n',
        );
      }
      return check.problems.length === 0 ? 0 : 1;
    });
  },
};
