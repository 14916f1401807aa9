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
    sendPace: (second: number) => `${p}pace:send:${second}`, // STRING emails handed to SMTP or a channel in that second (fleet-wide), PX 2 s
    // delivery
    edition: (subscriberId: string, period: string) => `${p}ed:${period}:${subscriberId}`, // HASH ledger entry
    editionsByPeriod: (period: string) => `${p}ed:index:${period}`, // HASH subscriberId -> state (previous layout: one per period)
    editionIndexBucket: (period: string, bucket: number) => `${p}ed:ix:${period}:${bucket}`, // HASH subscriberId -> state, a bucket of the detailed index
    editionIndexBuckets: `${p}ed:ix-buckets`, // HASH period -> how many buckets its detailed index has (fixed at its first claim)
    sentPapers: (subscriberId: string) => `${p}sent:${subscriberId}`, // ZSET paperId -> sent ms (legacy layout, read only)
    editionRecord: (subscriberId: string) => `${p}ed:rec:${subscriberId}`, // STRING settled editions, packed (digest/edition-record.ts)
    editionCounts: (period: string) => `${p}ed:counts:${period}`, // HASH state -> count (a period after its detailed index)
    editionFailed: (period: string) => `${p}ed:failed:${period}`, // SET subscriber ids failed (a period after its detailed index)
    editionQuiet: (period: string) => `${p}ed:quiet:${period}`, // ZSET subscriberId -> re-check deadline ms (quiet-day skips)
    editionPeriods: `${p}ed:periods`, // ZSET period -> day code: periods with ledger data, for retention
    editionTombs: `${p}ed:tombs`, // SET "period|subscriberId": final entries still in their per-edition hash, to fold
    editionReasons: `${p}ed:reasons`, // HASH reason JSON -> id: every distinct selection reason, once per deployment
    editionReasonsById: `${p}ed:reasons:by-id`, // HASH id -> reason JSON
    editionLayout: `${p}ed:layout`, // STRING "2" once the legacy per-edition hashes were folded into records
    confirmationSent: (jobId: string) => `${p}confirm:sent:${jobId}`, // STRING sending|sent, PX: one subscribe email per request
    suppressed: `${p}suppressed`, // HASH normalized email -> JSON reason
    // feeds and channels (src/feeds)
    feedVersions: `${p}feed:versions`, // HASH subscriberId -> personal feed key version (revoke rotates it)
    deliveryModes: `${p}feed:delivery`, // HASH subscriberId -> 'feed' | 'both' (absent = 'email')
    channels: `${p}channels`, // HASH channelId -> JSON channel record (holds the webhook URL and secret)
    channelState: `${p}channels:state`, // HASH channelId -> JSON {status, goneCount, suppressedAt}
    suppressionReleased: `${p}suppressed:released`, // HASH normalized email -> JSON: the reader re-enabled it once
    // provider webhooks (bounces and complaints)
    webhookSeen: (provider: string, id: string) => `${p}wh:seen:${provider}:${id}`, // STRING, PX: replay guard
    deliveryEvents: (subscriberId: string) => `${p}wh:events:${subscriberId}`, // LIST JSON, newest first, capped
    deliveryEventsUnmatched: `${p}wh:unmatched`, // LIST JSON (address masked), newest first, capped
    // relevance (relevance/reader-store.ts): a reader's feedback and personal model, kept until reset or deletion
    readerMarks: (subscriberId: string) => `${p}reader:${subscriberId}:marks`, // HASH paperId -> JSON marks
    readerModel: (subscriberId: string) => `${p}reader:${subscriberId}:model`, // STRING JSON model (capped vectors)
    // operations
    settings: `${p}settings`, // STRING JSON of the operator settings
    settingsAudit: `${p}settings:audit`, // LIST JSON entries, newest first
    settingsChannel: `${p}settings:changed`, // pub/sub channel
    webPublicUrl: `${p}web:public-url`, // STRING: the running web role's effective PUBLIC_URL (CLI links use it)
    rateLimit: (scope: string, key: string) => `${p}rl:${scope}:${key}`,
    alertLatch: (event: string) => `${p}alert:${event}`, // STRING, PX: one raise per episode across worker processes
    metricsSnapshot: (instance: string) => `${p}metrics:proc:${instance}`, // STRING JSON, PX: a worker's registry
    metricsInstances: `${p}metrics:procs`, // ZSET instance -> last publish ms
    metricsCliEmails: `${p}metrics:cli:emails-sent`, // HASH kind -> emails sent by one-shot CLI commands (send-test), never reset
  };
}

export type Keys = ReturnType<typeof makeKeys>;
