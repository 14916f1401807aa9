// Logging: one pino root logger built in the composition root; modules and jobs take child loggers from it.
// Pretty output only on a TTY. Email addresses and secrets never go into log fields: redact the usual suspects.
import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskEmail } from './util/redact.js';

export type { Logger };

export const REDACT_PATHS = [
  'email',
  '*.email',
  'to',
  '*.to',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'secret',
  '*.secret',
];

const ADDRESS = /[^\s<>()"',;:[\]]+@[^\s<>()"',;:[\]]+\.[a-z]{2,}/gi;

/** Every email address in a string masked (j***@example.org). */
export function maskAddressesIn(text: string): string {
  return text.includes('@') ? text.replace(ADDRESS, (m) => maskEmail(m)) : text;
}

/**
 * A log value with every address in its strings masked, a few levels deep. Field names cannot catch them all:
 * nodemailer's errors carry the recipients in `rejected`, `accepted`, `envelope` and the server's `response`.
 */
export function maskAddressesDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return maskAddressesIn(v);
  if (depth > 4 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => maskAddressesDeep(x, depth + 1));
  // Only plain objects: a request, an Error or a class instance is left to its serializer (which masks `err`).
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = maskAddressesDeep(x, depth + 1);
  return out;
}

export interface LoggerSettings {
  level: string;
  pretty?: boolean;
  name?: string;
}

export function createLogger(settings: LoggerSettings, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'papers-digest',
    level: settings.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: (e: Error) => maskAddressesDeep({ ...stdSerializers.err(e) }) },
    formatters: { log: (obj) => maskAddressesDeep(obj) as Record<string, unknown> },
  };
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  if (destination) return pino(options, destination as DestinationStream);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}

/** A logger that writes nothing: for pure tests and CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
