// Every key the application (not BullMQ) writes, in one place. All share REDIS_PREFIX so several deployments can
// share a Redis, and a `{hash-tag}` prefix keeps every key in one Cluster slot (Lua scripts touch several keys).
export function makeKeys(prefix: string) {
  const p = `${prefix}:`;
  return {
    prefix,
    // papers
    paper: (id: string) => `${p}paper:${id}`, // HASH: field "json" (normalized paper), "firstSeen"
    papersByDay: (day: string) => `${p}papers:day:${day}`, // ZSET id -> upvotes
    paperDays: `${p}papers:days`, // ZSET day (YYYY-MM-DD) -> days since epoch: which days hold papers
    scrapeDays: `${p}scrape:days`, // HASH day -> ISO instant of the last successful scrape of that day
    scrapeLastOk: `${p}scrape:last-ok`, // STRING ISO instant of the last successful scrape of any day
    scrapeLog: `${p}scrape:log`, // LIST of recent scrape outcomes (JSON), newest first, capped
    httpCache: (url: string) => `${p}http:etag:${url}`, // HASH etag, body
    // subscribers
    subscriber: (id: string) => `${p}sub:${id}`, // HASH
    subscriberByEmail: `${p}sub:by-email`, // HASH normalized email -> id
    subscribersAll: `${p}sub:all`, // ZSET id -> created ms
    dueIndex: `${p}due`, // ZSET id -> next send instant (ms since epoch, UTC)
    // delivery
    edition: (subscriberId: string, period: string) => `${p}ed:${period}:${subscriberId}`, // HASH ledger entry
    editionsByPeriod: (period: string) => `${p}ed:index:${period}`, // HASH subscriberId -> state
    sentPapers: (subscriberId: string) => `${p}sent:${subscriberId}`, // ZSET paperId -> sent ms
    confirmationSent: (jobId: string) => `${p}confirm:sent:${jobId}`, // STRING sending|sent, PX: one subscribe email per request
    suppressed: `${p}suppressed`, // HASH normalized email -> JSON reason
    // operations
    settings: `${p}settings`, // STRING JSON of the operator settings
    settingsAudit: `${p}settings:audit`, // LIST JSON entries, newest first
    settingsChannel: `${p}settings:changed`, // pub/sub channel
    webPublicUrl: `${p}web:public-url`, // STRING: the running web role's effective PUBLIC_URL (CLI links use it)
    rateLimit: (scope: string, key: string) => `${p}rl:${scope}:${key}`,
    alertLatch: (event: string) => `${p}alert:${event}`, // STRING, PX: one raise per episode across worker processes
    metricsSnapshot: (instance: string) => `${p}metrics:proc:${instance}`, // STRING JSON, PX: a worker's registry
    metricsInstances: `${p}metrics:procs`, // ZSET instance -> last publish ms
  };
}

export type Keys = ReturnType<typeof makeKeys>;
