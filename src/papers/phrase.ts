// How one phrase (a catalog phrase or a subscriber's keyword) becomes a regular expression, once.
// Rules, chosen so that matching behaves as a reader expects:
// - case-insensitive; letters and digits on either side end a match, so `RL` never matches inside `URL` or
//   `CURL`, `GAN` not inside `organ`, `3D` not inside `13D`;
// - spaces and hyphens are interchangeable and optional between words (`fine-tuning` = `fine tuning` = `finetuning`);
// - the last word may take a plural (`LLM` → `LLMs`, `agent` → `agents`, `policy` → `policies`, `bus` → `buses`).
// Everything else in the phrase is literal (regex metacharacters are escaped).

const BEFORE = '(?<![\\p{L}\\p{N}])';
const AFTER = '(?![\\p{L}\\p{N}])';
const SEPARATOR = '[\\s\\-\\u2010-\\u2015]*';

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function pluralizable(word: string): string {
  if (!/\p{L}$/u.test(word)) return escapeRegex(word);
  if (/[^aeiouy]y$/i.test(word)) return `${escapeRegex(word.slice(0, -1))}(?:y|ies)`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${escapeRegex(word)}(?:es)?`;
  return `${escapeRegex(word)}(?:s|es)?`;
}

/** The words of a phrase, split at spaces and hyphens. Empty when the phrase has none. */
export function phraseWords(phrase: string): string[] {
  return phrase.normalize('NFKC').trim().split(/[\s\-\u2010-\u2015]+/u).filter(Boolean);
}

/** Regex source for a phrase, without the boundary assertions (so several can share one alternation). */
export function phraseSource(phrase: string): string {
  const words = phraseWords(phrase);
  if (words.length === 0) throw new Error('empty phrase');
  return words.map((w, i) => (i === words.length - 1 ? pluralizable(w) : escapeRegex(w))).join(SEPARATOR);
}

/**
 * One regex for several phrases; capture group i+1 is phrases[i], so `whichPhrase` can say which matched.
 * At a given position the first listed phrase wins; across positions the leftmost match wins.
 */
export function compilePhrases(phrases: readonly string[]): RegExp {
  const alternatives = phrases.map((p) => `(${phraseSource(p)})`).join('|');
  return new RegExp(`${BEFORE}(?:${alternatives})${AFTER}`, 'iu');
}

/** Index into the phrases given to compilePhrases of the phrase a match came from. */
export function whichPhrase(match: RegExpExecArray): number {
  for (let i = 1; i < match.length; i++) if (match[i] !== undefined) return i - 1;
  return -1;
}
