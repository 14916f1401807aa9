// Typed scrape errors. ScrapeLayoutError is the alertable one: the source answered, but not with a listing we
// recognize — stored papers must stay as they were and an operator must hear about it. HTTP errors say whether
// a retry could help, so the job's own retry policy can decide.

/** The response was not a Daily Papers listing we can read (layout changed, login/error page, truncated, …). */
export class ScrapeLayoutError extends Error {
  readonly code = 'SCRAPE_LAYOUT';
  constructor(
    readonly url: string,
    readonly missing: string,
  ) {
    super(`layout not recognized at ${url}: ${missing}`);
    this.name = 'ScrapeLayoutError';
  }
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    /** True when trying again later may succeed (timeouts, 429, 5xx, network). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** A non-2xx, non-304 answer (after retries for 429/5xx ran out). */
export class HttpStatusError extends HttpError {
  constructor(
    url: string,
    readonly status: number,
    attempts: number,
  ) {
    super(`GET ${url} answered ${status}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`, url, status === 429 || status >= 500);
    this.name = 'HttpStatusError';
  }
}

export class HttpTimeoutError extends HttpError {
  constructor(
    url: string,
    readonly timeoutMs: number,
  ) {
    super(`GET ${url} timed out after ${timeoutMs} ms`, url, true);
    this.name = 'HttpTimeoutError';
  }
}

export class HttpTooLargeError extends HttpError {
  constructor(
    url: string,
    readonly limitBytes: number,
  ) {
    super(`GET ${url} returned more than ${limitBytes} bytes; refusing the rest`, url, false);
    this.name = 'HttpTooLargeError';
  }
}

/** The client was stopped (process shutdown) mid-request or mid-backoff. Retryable: the next run tries again. */
export class HttpAbortedError extends HttpError {
  constructor(url: string) {
    super(`GET ${url} abandoned: shutting down`, url, true);
    this.name = 'HttpAbortedError';
  }
}

export class HttpNetworkError extends HttpError {
  constructor(url: string, cause: unknown) {
    // undici says only "fetch failed"; the reason (DNS, refused, reset) is one level down.
    const inner = (cause as { cause?: { message?: string } })?.cause?.message;
    super(`GET ${url} failed: ${(cause as Error)?.message ?? String(cause)}${inner ? ` (${inner})` : ''}`, url, true, { cause });
    this.name = 'HttpNetworkError';
  }
}
