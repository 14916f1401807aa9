// The web view behind a digest's signed archive link, rendered again on demand from what the delivery ledger keeps
// of the edition (paper ids + why each was chosen) and the paper store — instead of storing every digest's HTML
// (~10 KB per subscriber per day). Upvotes and comments show their current values; the papers, their order and
// the reasons are the edition's. A paper missing from the store is left out; none left → null ("not archived").
import type { Config, LinkSecret } from '../config.js';
import { subscriberLinks } from '../links/signed-links.js';
import type { Templates } from '../mail/render.js';
import { buildDigestView } from '../mail/view-model.js';
import type { Paper } from '../papers/paper.js';
import type { Subscriber } from '../subscribers/subscriber.js';
import { TOPICS } from '../papers/topics.js';
import type { ArchiveRenderer } from './ledger.js';

export interface ArchiveDeps {
  subscribers: { get(id: string): Promise<Subscriber | null> };
  papers: { getMany(ids: string[]): Promise<Paper[]> };
  /** Compiled on first use (the composition root compiles the templates lazily). */
  templates: () => Promise<Pick<Templates, 'digestWebView'>>;
  config: Pick<Config, 'publicUrl'>;
  linkSecrets: readonly LinkSecret[];
  clock: () => Date;
  /** Topic id → label for the "why you get this" line (default: the topic catalog). */
  topicLabels?: Record<string, string>;
}

export function createArchiveRenderer(deps: ArchiveDeps): ArchiveRenderer {
  const topicLabels = deps.topicLabels ?? Object.fromEntries(TOPICS.map((t) => [t.id, t.label]));
  return async ({ subscriberId, period, selection }) => {
    const sub = await deps.subscribers.get(subscriberId);
    if (!sub) return null;
    const found = new Map((await deps.papers.getMany(selection.map((s) => s.id))).map((p) => [p.id, p]));
    const selected = selection.flatMap((s) => {
      const paper = found.get(s.id);
      // the ledger keeps topic ids only: labels come from the catalog
      const reasons = s.reasons.map((r) => (r.kind === 'topic' ? { ...r, topicLabel: topicLabels[r.topicId] ?? r.topicLabel } : r));
      return paper ? [{ paper, reasons }] : [];
    });
    if (selected.length === 0) return null;
    const now = deps.clock();
    // Feedback links expire with the edition (a function of the period): the same tokens as in the email.
    const links = subscriberLinks(deps.config.publicUrl, sub, deps.linkSecrets, now, { period });
    const view = buildDigestView({
      subscriber: sub,
      selected,
      period,
      now,
      publicUrl: deps.config.publicUrl,
      links: { preferences: links.preferences, unsubscribe: links.unsubscribe, archive: links.archive(period), readingList: links.readingList },
      feedback: (paperId) => links.feedback(paperId),
      topicLabels,
    });
    return (await deps.templates()).digestWebView(view);
  };
}
