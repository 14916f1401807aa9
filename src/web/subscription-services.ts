// Wires the subscriber pages to the real services (the store, settings, link secrets, mailer + compiled email
// templates, the delivery ledger's archive — read only; the send job writes it). Registered in src/web/plugins.ts.
import type { Services } from '../services.js';
import { deleteSubscriberData, exportSubscriberData } from '../subscribers/data-owners.js';
import { nextDueAt } from '../subscribers/due.js';
import { TOPICS } from '../papers/topics.js';
import { latestSample } from '../feeds/public-archive.js';
import { previewSelection } from '../digest/preview.js';
import { describeReason } from '../papers/reason.js';
import { asPaper, MIN_LIKES_FOR_EXCLUDES, suggestExcludes, suggestKeywords } from '../relevance/suggest.js';
import { addDays } from '../schedule/schedule.js';
import { authorDirectory, authorsOf, orgsOf, unmatchedAuthorFollows, unmatchedOrgFollows, type AuthorDirectory, type OrgSeen } from '../papers/follow-check.js';
import type { ReaderPaper, SubscribeLimits } from './page-kit.js';
import { subscriptionPlugin } from './subscription-routes.js';

/** Listing days whose papers say which organizations and authors exist, for the follow check. */
const FOLLOW_DIRECTORY_DAYS = 90;

/** Newest liked and disliked papers read in full for exclude suggestions (the page reads at most twice this many). */
const EXCLUDE_EVIDENCE_PAPERS = 300;

export function subscriptionRoutes(services: Services, opts: { limits?: Partial<SubscribeLimits> } = {}) {
  const { ctx, ledger } = services;
  // The organizations and authors of the papers held, read once per newest listing day (a few hundred
  // organizations, about 15,000 authors: a few MB, indexed in a fraction of a second).
  interface Directory {
    orgs: OrgSeen[];
    authors: AuthorDirectory;
  }
  let directory: { day: string | null; read: Promise<Directory> } | null = null;
  async function followDirectory(): Promise<Directory> {
    const day = await services.papers.newestDay();
    if (!directory || directory.day !== day) {
      const read = day
        ? services.papers.listedSince(addDays(day, -(FOLLOW_DIRECTORY_DAYS - 1))).then((papers) => ({ orgs: orgsOf(papers), authors: authorDirectory(authorsOf(papers)) }))
        : Promise.resolve({ orgs: [], authors: authorDirectory([]) });
      directory = { day, read };
      read.catch(() => {
        if (directory?.read === read) directory = null; // a failed read is tried again by the next page
      });
    }
    return directory.read;
  }
  return subscriptionPlugin({
    store: services.subscribers,
    topics: TOPICS,
    settings: ctx.settings,
    secrets: ctx.secrets.linkSecrets,
    publicUrl: ctx.config.publicUrl,
    redis: ctx.redis,
    keys: ctx.keys,
    clock: ctx.clock,
    log: ctx.log.child({ mod: 'subscribe' }),
    notify: async (s) => {
      await services.deliverConfirmation(s); // a failed first try is retried by the mail queue
    },
    nextDelivery: (s) => nextDueAt(s, ctx.clock()),
    archive: (id, period) => ledger.archive(id, period),
    sample: () => latestSample(services.papers, ctx.clock()),
    dataRights: {
      suppression: async (email) => {
        const entry = await services.suppression.get(email);
        return { entry, mayRelease: entry ? await services.suppression.readerMayRelease(email) : false };
      },
      releaseByReader: (email, at) => services.suppression.releaseByReader(email, at),
      exportData: (s) => exportSubscriberData(services.dataOwners, s, ctx.clock()),
      deleteData: (s) => deleteSubscriberData(services.dataOwners, s),
    },
    papers: services.papers,
    // Feedback, the reading list and what was learned (src/relevance/reader-store.ts).
    readers: services.readers,
    // The last 7 listed days with the edited preferences and the reader's model (read-only): nothing is written.
    preview: async (s) => {
      const settings = await ctx.settings.get();
      const days = await previewSelection({ papers: services.papers, readers: services.readers, settings: () => settings }, { subscriber: s, subscriberId: s.id, now: ctx.clock() });
      return days.map((d) => ({
        day: d.day,
        papers: d.selected.map(({ paper, reasons }) => ({
          id: paper.id,
          title: paper.title,
          url: `https://huggingface.co/papers/${encodeURIComponent(paper.id)}`,
          why: [...new Set(reasons.map(describeReason))].join('; '),
        })),
      }));
    },
    // Keywords the reader's 👍 keep sharing that their filters do not reach, and words their 👎 keep sharing that no
    // 👍 mentions, both tried on the last 7 listed days.
    suggestions: async (s, profile) => {
      const today = ctx.clock().toISOString().slice(0, 10);
      const days = (await services.papers.daysSince(addDays(today, -21))).filter((d) => d <= today).slice(-7);
      const recent = (await Promise.all(days.map((d) => services.papers.getDay(d)))).flat();
      const filters = {
        topics: s.topics,
        includeKeywords: s.includeKeywords,
        excludeKeywords: s.excludeKeywords,
        followAuthors: s.followAuthors,
        followOrgs: s.followOrgs,
        dismissed: new Set(profile.dismissed),
        recent,
      };
      const keywords = suggestKeywords({
        ...filters,
        terms: profile.terms,
        likedTitles: profile.liked.flatMap((r) => (r.title ? [r.title] : [])),
        dislikedTitles: profile.disliked.flatMap((r) => (r.title ? [r.title] : [])),
      });
      // Whole papers where still stored (an exclude keyword reads the abstract too), else the title the mark kept.
      const whole = async (rows: readonly ReaderPaper[]) => {
        const kept = rows.slice(0, EXCLUDE_EVIDENCE_PAPERS);
        const byId = new Map((await services.papers.getMany(kept.map((r) => r.id))).map((p) => [p.id, p]));
        return kept.flatMap((r) => byId.get(r.id) ?? (r.title ? [asPaper(r.title)] : []));
      };
      // (Too few likes for an exclusion to be suggested: the papers are not read at all.)
      if (profile.liked.length < MIN_LIKES_FOR_EXCLUDES) return { keywords, excludes: [] };
      const [liked, disliked] = await Promise.all([whole(profile.liked), whole(profile.disliked)]);
      const excludes = suggestExcludes({ ...filters, terms: profile.terms, liked, disliked });
      return { keywords, excludes };
    },
    // A check that cannot read the papers leaves the page as it was: no note, a warning in the log.
    followCheck: async (s) => {
      if (!s.followOrgs.length && !s.followAuthors.length) return { orgs: [], authors: [] };
      try {
        const d = await followDirectory();
        return { orgs: unmatchedOrgFollows(s.followOrgs, d.orgs), authors: unmatchedAuthorFollows(s.followAuthors, d.authors) };
      } catch (err) {
        ctx.log.warn({ err, subscriberId: s.id }, 'follow check failed');
        return { orgs: [], authors: [] };
      }
    },
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
}

