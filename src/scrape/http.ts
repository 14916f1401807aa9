// A small HTTP GET client for the scraper, on node's own fetch (undici). Each attempt has a timeout covering
// headers AND body; bodies are streamed and cut off past a byte cap (a 2 GB "page" or a decompression bomb must
// not take the worker down); conditional requests with If-None-Match; retries with exponential backoff and
// jitter on 429, 5xx, timeouts and network errors, honoring Retry-After (seconds or an HTTP date). Other 4xx
// answers are final. sleep, clock and random are injected so tests never wait for real.
import { readFileSync } from 'node:fs';
import { HttpAbortedError, HttpNetworkError, HttpStatusError, HttpTimeoutError, HttpTooLargeError } from './errors.js';

export interface HttpClientOptions {
  userAgent: string;
  /** Per attempt, headers and body together. */
  timeoutMs?: number;
  maxBytes?: number;
  /** Retries after the first attempt. */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: we give up now and let the job retry later. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
  random?: () => number;
  fetch?: typeof fetch;
  /** Aborts every request and backoff wait of this client (shutdown): a scrape must not hold a stopping worker. */
  signal?: AbortSignal;
  /** Called before each wait (logging, tests). */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

export type HttpResult =
  | { status: 'ok'; code: number; body: string; etag: string | null; contentType: string | null; url: string }
  | { status: 'not-modified'; etag: string | null; url: string };

export const DEFAULT_HTTP = { timeoutMs: 20_000, maxBytes: 8 * 1024 * 1024, retries: 3, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

/** `papers-digest/<version> (+<public url>)`: says who we are and where to find the operator. */
export function scraperUserAgent(publicUrl: string): string {
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    // running from an unusual layout: the UA still names the project
  }
  return `papers-digest/${version} (+${publicUrl})`;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

class Timeout extends Error {}

export class HttpClient {
  private readonly o: Required<Omit<HttpClientOptions, 'onRetry' | 'signal'>> & Pick<HttpClientOptions, 'onRetry' | 'signal'>;

  constructor(opts: HttpClientOptions) {
    this.o = {
      ...DEFAULT_HTTP,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      clock: () => new Date(),
      random: Math.random,
      fetch: (...args) => fetch(...args),
      ...opts,
    };
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** attempt);
    return Math.round(cap / 2 + (this.o.random() * cap) / 2); // "equal jitter": never zero, never in lockstep
  }

  /** The client's sleep, cut short (with HttpAbortedError) when the client's signal fires. */
  private async pause(url: string, ms: number): Promise<void> {
    const signal = this.o.signal;
    if (!signal) return this.o.sleep(ms);
    if (signal.aborted) throw new HttpAbortedError(url);
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new HttpAbortedError(url));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.o.sleep(ms), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async get(url: string, opts: { etag?: string | null; accept?: string } = {}): Promise<HttpResult> {
    for (let attempt = 0; ; attempt++) {
      if (this.o.signal?.aborted) throw new HttpAbortedError(url);
      let retryReason: string;
      let retryAfterMs: number | null = null;
      let finalError: Error;
      try {
        const res = await this.attempt(url, opts);
        if (res.kind === 'result') return res.result;
        retryReason = `status ${res.code}`;
        retryAfterMs = res.retryAfterMs;
        finalError = new HttpStatusError(url, res.code, attempt + 1);
        if (!(res.code === 429 || res.code >= 500)) throw finalError;
      } catch (err) {
        if (err instanceof HttpStatusError || err instanceof HttpTooLargeError || err instanceof HttpAbortedError) throw err;
        finalError = err as Error;
        retryReason = (err as Error).message;
      }
      if (attempt >= this.o.retries) throw finalError;
      if (retryAfterMs !== null && retryAfterMs > this.o.maxRetryAfterMs) throw finalError;
      const delayMs = Math.max(this.backoff(attempt), retryAfterMs ?? 0);
      this.o.onRetry?.({ url, attempt: attempt + 1, delayMs, reason: retryReason });
      await this.pause(url, delayMs);
    }
  }

  private async attempt(
    url: string,
    opts: { etag?: string | null; accept?: string },
  ): Promise<{ kind: 'result'; result: HttpResult } | { kind: 'retry'; code: number; retryAfterMs: number | null }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Timeout()), this.o.timeoutMs);
    const timedOut = () => controller.signal.aborted && controller.signal.reason instanceof Timeout;
    const stop = this.o.signal;
    const onStop = () => controller.abort();
    stop?.addEventListener('abort', onStop, { once: true });
    const stopped = () => stop?.aborted === true;
    try {
      const headers: Record<string, string> = { 'user-agent': this.o.userAgent, accept: opts.accept ?? 'text/html,application/json;q=0.9,*/*;q=0.5' };
      if (opts.etag) headers['if-none-match'] = opts.etag;
      let res: Response;
      try {
        res = await this.o.fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
      } catch (err) {
        if (timedOut()) throw new HttpTimeoutError(url, this.o.timeoutMs);
        if (stopped()) throw new HttpAbortedError(url);
        throw new HttpNetworkError(url, err);
      }
      const finalUrl = res.url || url;
      if (res.status === 304) {
        await res.body?.cancel().catch(() => {});
        return { kind: 'result', result: { status: 'not-modified', etag: res.headers.get('etag') ?? opts.etag ?? null, url: finalUrl } };
      }
      if (res.status < 200 || res.status > 299) {
        await res.body?.cancel().catch(() => {});
        return { kind: 'retry', code: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.o.clock()) };
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > this.o.maxBytes) {
        controller.abort();
        throw new HttpTooLargeError(url, this.o.maxBytes);
      }
      const body = await this.readCapped(res, url, controller, timedOut, stopped);
      return {
        kind: 'result',
        result: { status: 'ok', code: res.status, body, etag: res.headers.get('etag'), contentType: res.headers.get('content-type'), url: finalUrl },
      };
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }
  }

  private async readCapped(res: Response, url: string, controller: AbortController, timedOut: () => boolean, stopped: () => boolean): Promise<string> {
    if (!res.body) return '';
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.o.maxBytes) {
          controller.abort();
          throw new HttpTooLargeError(url, this.o.maxBytes);
        }
        chunks.push(value);
      }
    } catch (err) {
      if (err instanceof HttpTooLargeError) throw err;
      if (timedOut()) throw new HttpTimeoutError(url, this.o.timeoutMs);
      if (stopped()) throw new HttpAbortedError(url);
      throw new HttpNetworkError(url, err);
    }
    return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
  }
}
