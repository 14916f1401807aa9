// The loopback SMTP sink for the delivery bench, in its own process so its CPU is not the bench's: accepts every
// message (no parsing), counts messages and bytes, and talks to the parent over IPC:
//   child → parent {type: 'ready', port}      parent → child {type: 'count'} → {type: 'count', messages, bytes}
// It exits when the parent disconnects. Run by bench/delivery.ts with `fork(..., {execArgv: ['--import', 'tsx']})`.
import { SMTPServer } from 'smtp-server';

let messages = 0;
let bytes = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  size: 20 * 1024 * 1024,
  closeTimeout: 100,
  onData(stream, _session, cb) {
    stream.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    stream.on('end', () => {
      messages += 1;
      cb(null, `OK queued as bench-${messages}`);
    });
  },
});
server.on('error', () => {});

server.listen(0, '127.0.0.1', () => {
  const addr = server.server.address();
  process.send?.({ type: 'ready', port: typeof addr === 'object' && addr ? addr.port : 0 });
});

process.on('message', (m: { type?: string }) => {
  if (m?.type === 'count') process.send?.({ type: 'count', messages, bytes });
});
process.on('disconnect', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
