// `papers-digest scrape`: one scrape now, from Hugging Face (JSON API, falling back to the listing page), a URL,
// or a local file. With --dry-run nothing is written and Redis is not even opened: `--dry-run --json` prints the
// normalized papers as a JSON array (the contract in DESIGN.md). A layout error exits 1 and stores nothing.
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { withCliServices } from './context.js';
import { ScrapeLayoutError } from '../scrape/errors.js';
import { RedisEtagCache } from '../scrape/etag-cache.js';
import { HttpClient, scraperUserAgent } from '../scrape/http.js';
import { defaultSource } from '../scrape/job.js';
import { isoDay } from '../scrape/listing.js';
import { DEFAULT_MAX_PAPERS_PER_DAY } from '../scrape/plausibility.js';
import { scrapeListing, type ScrapeOutcome } from '../scrape/scrape.js';
import { ApiSource, FileSource, PageSource, UrlSource, type ListingSource } from '../scrape/sources.js';
import { parseCommandArgs, UsageError, writeJson, type CliCommand, type CliIo } from './command.js';

const HELP = `papers-digest scrape [--from <file|url>] [--date YYYY-MM-DD | --week YYYY-Www | --month YYYY-MM]
                     [--source api|page] [--accept-listing] [--dry-run] [--json] [--verbose]

Scrapes one Hugging Face Daily Papers listing now and stores it (upsert by id, the day re-ranked by upvotes).
  --from <file|url>  read a saved page or API response (HTML or JSON, detected), or fetch that URL
  --date             the Daily Papers day (default: the latest listing)
  --week, --month    a week or month page (merged into the stored days, never shrinking them)
  --source           api (JSON API) or page (listing page); default: the API, falling back to the page
  --accept-listing   store the listing even when it looks implausible (more papers for a day than the setting
                     scrapeMaxPapersPerDay, or a day shrinking to less than half): the operator's override
  --dry-run          parse and print, write nothing (Redis is not needed)
  --json             machine-readable output: with --dry-run, the normalized papers as a JSON array
Exit codes: 0 ok (also for a quiet day or "not modified"), 1 the listing could not be read (nothing stored),
2 usage error. HF_BASE_URL sets where Hugging Face is (default https://huggingface.co).`;

function printHuman(io: CliIo, out: ScrapeOutcome, dryRun: boolean): void {
  const head =
    out.status === 'ok'
      ? `${out.papers.length} papers from ${out.url}${dryRun ? ' (dry run: nothing stored)' : ` — stored ${out.stored}, new ${out.added}`}`
      : out.status === 'not-modified'
        ? `not modified since the last scrape: ${out.url}`
        : `no papers listed${out.day ? ` for ${out.day}` : ''} (quiet day): ${out.url}`;
  io.stdout.write(head + '\n');
  for (const p of out.papers) io.stdout.write(`  ${String(p.upvotes).padStart(4)} ▲  ${p.id.padEnd(11)} ${p.listedOn}  ${p.title.slice(0, 90)}\n`);
}

export const command: CliCommand = {
  name: 'scrape',
  summary: 'scrape Hugging Face Daily Papers now',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      {
        from: { type: 'string' },
        date: { type: 'string' },
        week: { type: 'string' },
        month: { type: 'string' },
        source: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'accept-listing': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
      },
      false,
    );
    const realDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && isoDay(new Date(`${d}T00:00:00Z`)) === d;
    if (values.date && !realDay(values.date)) throw new UsageError(`--date must be a real day as YYYY-MM-DD (got ${values.date})`);
    if (values.week && !/^\d{4}-W\d{2}$/.test(values.week)) throw new UsageError(`--week must be YYYY-Www (got ${values.week})`);
    if (values.month && !/^\d{4}-\d{2}$/.test(values.month)) throw new UsageError(`--month must be YYYY-MM (got ${values.month})`);
    if ([values.date, values.week, values.month].filter(Boolean).length > 1) throw new UsageError('give at most one of --date, --week, --month');
    if (values.source && !['api', 'page'].includes(values.source)) throw new UsageError(`--source must be api or page (got ${values.source})`);
    if (values.source && values.from) throw new UsageError('--source and --from exclude each other');
    if (values.source === 'api' && (values.week || values.month)) throw new UsageError('the JSON API lists days only; use --source page for weeks and months');

    const config = loadConfig(io.env);
    const log = createLogger({ level: values.verbose ? 'debug' : 'warn', pretty: false }, io.stderr);
    const dryRun = values['dry-run'];
    const req = {
      day: values.date ?? null,
      ...(values.week ? { week: values.week } : {}),
      ...(values.month ? { month: values.month } : {}),
      today: isoDay(new Date()), // the CLI is an edge: "today" is the operator's now (UTC)
    };
    const http = new HttpClient({ userAgent: scraperUserAgent(config.publicUrl), onRetry: (i) => log.warn(i, 'retrying') });
    const makeSource = (cache: RedisEtagCache | null): ListingSource => {
      if (values.from) return /^https?:\/\//i.test(values.from) ? new UrlSource(http, cache, values.from) : new FileSource(values.from);
      if (values.source === 'api') return new ApiSource(http, cache, config.hfBaseUrl);
      if (values.source === 'page') return new PageSource(http, cache, config.hfBaseUrl);
      return defaultSource({ config, log }, cache, null, http);
    };

    const report = (out: ScrapeOutcome) => {
      for (const w of out.warnings) io.stderr.write(`warning: ${w}\n`);
      if (out.rejected) io.stderr.write(`warning: ${out.rejected} record(s) rejected (no id/title or invalid)\n`);
      if (values.json) writeJson(io, dryRun ? out.papers : { ...out, papers: out.papers.length });
      else printHuman(io, out, dryRun);
      return 0;
    };
    try {
      if (dryRun) {
        const limits = { maxPapersPerDay: DEFAULT_MAX_PAPERS_PER_DAY, accept: values['accept-listing'] };
        return report(await scrapeListing({ source: makeSource(null), store: null, cache: null, log, clock: () => new Date(), limits }, req));
      }
      return await withCliServices(
        io,
        async ({ ctx, papers }) => {
          const cache = new RedisEtagCache(ctx.redis, ctx.keys);
          const limits = { maxPapersPerDay: (await ctx.settings.get()).scrapeMaxPapersPerDay, accept: values['accept-listing'] };
          return report(await scrapeListing({ source: makeSource(cache), store: papers, cache, log, clock: ctx.clock, limits }, req));
        },
        { verbose: values.verbose },
      );
    } catch (err) {
      if (err instanceof ScrapeLayoutError) {
        io.stderr.write(`scrape: ${err.message}\nNothing was stored; the papers already stored are unchanged.\n`);
        return 1;
      }
      throw err;
    }
  },
};
