// Child process for send-crash.test.ts: one send worker (short locks, so a SIGKILL is noticed fast) that prints
// "ready" once it runs. Arguments: <redisUrl> <prefix> <smtpUrl> <leaseMs>.
import { startSendWorker } from '../../src/digest/send-worker.js';
import { buildSendParts, TEST_SEND_SETTINGS } from './send-harness.js';

const [redisUrl, prefix, smtpUrl, leaseMs] = process.argv.slice(2);
if (!redisUrl || !prefix || !smtpUrl || !leaseMs) throw new Error('usage: send-crash.child.ts <redisUrl> <prefix> <smtpUrl> <leaseMs>');
const parts = await buildSendParts(redisUrl, prefix, smtpUrl, { leaseMs: Number(leaseMs) });
await startSendWorker(parts.deps, {
  connect: () => parts.bullConnection,
  prefix,
  settings: TEST_SEND_SETTINGS,
  lockDurationMs: 1_000,
  stalledIntervalMs: 500,
});
process.stdout.write('ready\n');
