// Shared setup for the subscriber-page tests: a real redis-server, a real SMTP sink, the real composition
// (createContext → createServices → webPlugins → buildApp), and a tiny cookie-keeping client over app.inject.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createContext, type Context } from '../../src/context.js';
import { createLogger } from '../../src/log.js';
import { createServices, type Services } from '../../src/services.js';
import { buildApp } from '../../src/web/app.js';
import { webPlugins } from '../../src/web/plugins.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { startSmtpSink, type CapturedMessage, type SmtpSink } from '../helpers/smtp-sink.js';

export const LINK_SECRETS = 'k2:Qm9vdHN0cmFwLXNlY3JldC1mb3ItdGVzdHMtb25seS0x,k1:T2xkZXItc2VjcmV0LWZvci1yb3RhdGlvbi10ZXN0cy0y';
export const PUBLIC_URL = 'http://digest.test';

export interface WebHarness {
  redis: TestRedis;
  sink: SmtpSink;
  ctx: Context;
  services: Services;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startWebHarness(opts: { prefix: string; clock?: () => Date; env?: Record<string, string> }): Promise<WebHarness> {
  const redis = await startRedis();
  const sink = await startSmtpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'pd-web-'));
  const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const ctx = await createContext({
    env: {
      REDIS_URL: redis.url,
      REDIS_PREFIX: opts.prefix,
      SMTP_URL: sink.url,
      LINK_SECRETS,
      PUBLIC_URL,
      DATA_DIR: dataDir,
      MAIL_FROM: 'Papers Digest <digest@digest.test>',
      ...opts.env,
    },
    log,
    manageRedis: false,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const services = await createServices(ctx);
  const app = await buildApp({ log, plugins: webPlugins(services) });
  return {
    redis,
    sink,
    ctx,
    services,
    app,
    async close() {
      await app.close();
      await ctx.close();
      await sink.close();
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser-ish client: keeps cookies between requests, speaks urlencoded forms. */
export class Client {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    readonly ip = '203.0.113.10',
  ) {}

  private cookieHeader(): string | undefined {
    return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    return res;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    return this.remember(await this.app.inject({ method: 'GET', url: pathOf(url), remoteAddress: this.ip, headers: cookie ? { cookie } : {} }));
  }

  async post(url: string, form: Record<string, string | string[]>, extra: Partial<InjectOptions> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url: pathOf(url),
        remoteAddress: this.ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        payload: urlencoded(form),
        ...extra,
      }),
    );
  }
}

export function urlencoded(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

export function pathOf(url: string): string {
  return url.startsWith('http') ? new URL(url).pathname + new URL(url).search : url;
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field in page');
  return m[1]!;
}

/** The first link in a captured message's text part that starts with PUBLIC_URL + path. */
export function linkIn(msg: CapturedMessage, path: string, base = PUBLIC_URL): string {
  const text = `${msg.parsed.text ?? ''}\n${typeof msg.parsed.html === 'string' ? msg.parsed.html : ''}`;
  const re = new RegExp(`${base.replace(/[.]/g, '\\.')}${path}/[A-Za-z0-9_-]+`);
  const m = re.exec(text);
  if (!m) throw new Error(`no ${path} link in message "${msg.parsed.subject}"`);
  return m[0];
}

/** Visible text of an HTML page, collapsed (for "what the page shows" assertions). */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

export const SUBSCRIBE_FORM = {
  email: 'ann@example.org',
  topics: ['agents', 'reasoning'],
  timezone: 'Europe/Paris',
  time: '07:30',
  frequency: 'daily',
  weekday: '1',
};
