// Child process for foundation.test.ts: takes the managed-Redis path (nothing answers on <port>) and prints
// "<kind> <url> <redis-server pid>". On SIGINT — sent to its whole process group, as a terminal's Ctrl-C is — it
// reports whether the managed server still answers, then ends with process.exit() WITHOUT calling stop() (as a
// timed-out shutdown does). Arguments: <dataDir> <unusedPort>.
import { silentLogger } from '../../src/log.js';
import { createRedis, waitReady } from '../../src/redis/connect.js';
import { ensureRedis, probeRedis } from '../../src/redis/managed.js';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error('usage: managed-redis.child.ts <dataDir> <unusedPort>');
const target = await ensureRedis({ redisUrl: null, dataDir, log: silentLogger(), localDefault: { host: '127.0.0.1', port: Number(port) } });
const redis = createRedis(target.url);
await waitReady(redis);
const pid = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
redis.disconnect();
process.once('SIGINT', () => {
  void probeRedis({ path: target.url.slice('unix://'.length) }).then((alive) => {
    process.stdout.write(`alive-after-sigint ${alive}\n`);
    process.exit(0);
  });
});
process.stdout.write(`${target.kind} ${target.url} ${pid}\n`);
setInterval(() => {}, 60_000); // stay alive until signalled
