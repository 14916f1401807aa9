// The readers file of `npm run eval:relevance`, checked whole before anything runs: a file written by someone else
// gets every problem at once, each with the reader's position and name, instead of a stack trace about the first.
// Preferences are checked as a subscriber's are (validatePreferences): the evaluation runs readers through the real
// selection. `relevant` takes arXiv ids as a person writes them (`2509.01234`, `2509.01234v2`, `arXiv:…`, arxiv.org
// or huggingface.co/papers links) and keeps the bare id, the form papers are stored under.
// A file written without this project's catalog at hand is read as its author meant it, and says so: topics may
// be given by id, label or another name ("Reinforcement learning", "RAG"; papers/topic-names.ts); a topic the
// catalog does not have is read as an include keyword of the same words, maxPapers above the cap as the cap, and
// a field that is not a preference is ignored.
// Each such reading is a note on the reader (printed before the run, kept in the output), never a silent change.
import { LIMITS, parsePaperRef, PREFERENCE_FIELDS, PreferencesError, readTopics, validatePreferences } from '../src/subscribers/preferences.js';

export interface ReaderSpec {
  name: string;
  preferences: Record<string, unknown>;
  relevant: string[];
  /** How the file's preferences were read where they were not this project's own (see above). */
  notes?: string[];
}

/** The preferences as meant (see above), with a note for each reading. */
function asMeant(prefs: Record<string, unknown>): { preferences: Record<string, unknown>; notes: string[] } {
  const notes: string[] = [];
  const out = { ...prefs };
  for (const key of Object.keys(out)) {
    if ((PREFERENCE_FIELDS as readonly string[]).includes(key)) continue;
    delete out[key];
    notes.push(`preferences.${key} is not a preference: ignored`);
  }
  const topics = readTopics(prefs.topics);
  if (topics && topics.unknown.length) {
    const given = prefs.includeKeywords;
    const keywords = Array.isArray(given) ? [...given] : typeof given === 'string' ? given.split(/[;,\n]+/).map((k) => k.trim()).filter(Boolean) : given === undefined ? [] : null;
    if (keywords) {
      out.topics = topics.ids;
      out.includeKeywords = [...keywords, ...topics.unknown.filter((u) => !keywords.some((k) => typeof k === 'string' && k.toLowerCase() === u.toLowerCase()))];
      for (const u of topics.unknown) notes.push(`topic “${u}” is not in the catalog: read as the include keyword “${u}”`);
    }
  }
  if (typeof prefs.maxPapers === 'number' && Number.isInteger(prefs.maxPapers) && prefs.maxPapers > LIMITS.maxPapers) {
    out.maxPapers = LIMITS.maxPapers;
    notes.push(`maxPapers ${prefs.maxPapers} is above the cap: read as ${LIMITS.maxPapers}`);
  }
  return { preferences: out, notes };
}

export class ReadersFileError extends Error {
  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, 20);
    const more = problems.length - shown.length;
    super(`readers file refused:\n${shown.map((p) => `  - ${p}`).join('\n')}${more > 0 ? `\n  … and ${more} more` : ''}`);
    this.name = 'ReadersFileError';
  }
}

/** The readers of a parsed readers file; throws ReadersFileError listing every problem. */
export function parseReadersFile(raw: unknown): ReaderSpec[] {
  if (!Array.isArray(raw)) throw new ReadersFileError(['expected a JSON array of {name, preferences, relevant}']);
  if (raw.length === 0) throw new ReadersFileError(['the file holds no readers']);
  const problems: string[] = [];
  raw.forEach((r: unknown, i) => {
    const obj = r && typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, unknown>) : null;
    const name = obj && typeof obj.name === 'string' ? obj.name.trim() : '';
    const who = `reader ${i + 1}${name ? ` “${name.slice(0, 60)}”` : ''}`;
    if (!obj) return void problems.push(`${who}: expected an object {name, preferences, relevant}`);
    if (!name) problems.push(`${who}: name must be a non-empty string`);
    if (!Array.isArray(obj.relevant) || obj.relevant.some((id) => typeof id !== 'string')) problems.push(`${who}: relevant must be a list of arXiv ids`);
    else {
      const bad = (obj.relevant as string[]).filter((id) => parsePaperRef(id) === null);
      if (bad.length) problems.push(`${who}: relevant: ${bad.slice(0, 3).map((b) => `“${b.slice(0, 40)}”`).join(', ')}${bad.length > 3 ? ` and ${bad.length - 3} more` : ''} ${bad.length > 1 ? 'are not arXiv ids' : 'is not an arXiv id'} (like 2509.01234)`);
    }
    if (!obj.preferences || typeof obj.preferences !== 'object' || Array.isArray(obj.preferences)) {
      problems.push(`${who}: preferences must be an object`);
      return;
    }
    try {
      validatePreferences(asMeant(obj.preferences as Record<string, unknown>).preferences);
    } catch (err) {
      if (!(err instanceof PreferencesError)) throw err;
      for (const issue of err.issues) problems.push(`${who}: preferences.${issue.field}: ${issue.message}`);
    }
  });
  if (problems.length) throw new ReadersFileError(problems);
  return (raw as ReaderSpec[]).map((r) => {
    const { preferences, notes } = asMeant(r.preferences);
    return { ...r, preferences, relevant: [...new Set(r.relevant.map((id) => parsePaperRef(id)!))], ...(notes.length ? { notes } : {}) };
  });
}
