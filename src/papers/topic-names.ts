// Topic names as a person writes them, resolved to catalog ids: the id (`rl`, `speech-audio`), the label
// ("Reinforcement learning", "Speech & audio"), one part of a label ("speech", "alignment") or one of the topic's
// `aliases` ("LLMs", "diffusion models"). Compared without case, accents or plural endings; spaces, hyphens and
// underscores are one, and so are "&", "/", "+" and "and". Subscribers store ids only; this is for the places
// where a person types a topic (the API, CSV import, an evaluation readers file).
import { TOPIC_CATALOG, type Topic } from './topic-catalog.js';

/** The form two names are compared in ("Vision-Language Models" and "vision language model" are equal). */
export function topicKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[&/+]/g, ' and ')
    .replace(/[\s\-\u2010-\u2015_.]+/gu, ' ')
    .trim()
    .split(' ')
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w))
    .join(' ');
}

/** Every name of one topic, as keys. */
function namesOf(t: Topic): string[] {
  const label = topicKey(t.label);
  const parts = label.split(/ and /).map((p) => p.trim()).filter(Boolean);
  return [...new Set([topicKey(t.id), label, ...parts, ...(t.aliases ?? []).map(topicKey)])];
}

/** key → topic id. Built once; a name claimed by two topics is a catalog mistake and stops the start. */
function buildIndex(catalog: readonly Topic[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const t of catalog) {
    for (const key of namesOf(t)) {
      const other = index.get(key);
      if (other !== undefined && other !== t.id) throw new Error(`topic catalog: the name “${key}” belongs to both ${other} and ${t.id}`);
      index.set(key, t.id);
    }
  }
  return index;
}

let index: Map<string, string> | null = null;

/**
 * The catalog id a person meant by `name`, or null when no topic goes by that name. A name joined from parts
 * ("robotics & embodied", "diffusion / generation") resolves when every part names the same topic.
 */
export function resolveTopic(name: string): string | null {
  index ??= buildIndex(TOPIC_CATALOG);
  const key = topicKey(name);
  const whole = index.get(key);
  if (whole !== undefined) return whole;
  const parts = key.split(/ and /).map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) return null;
  const ids = new Set(parts.map((p) => index!.get(p) ?? null));
  return ids.size === 1 ? [...ids][0]! : null;
}

/** For tests: the index a catalog would build (throws on a name claimed twice). */
export function topicNameIndex(catalog: readonly Topic[] = TOPIC_CATALOG): ReadonlyMap<string, string> {
  return buildIndex(catalog);
}
