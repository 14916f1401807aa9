// What the feedback page says (pure): the question a feedback link asks, and — after the POST — what changed, how
// to undo it, and the other two choices for the same paper. Labels live here so the page and tests agree.
import type { FeedbackKind, PaperMarks } from './page-kit.js';

export const FEEDBACK_KINDS: readonly FeedbackKind[] = ['like', 'dislike', 'save'];

export function isFeedbackKind(v: unknown): v is FeedbackKind {
  return typeof v === 'string' && (FEEDBACK_KINDS as readonly string[]).includes(v);
}

const ICON: Record<FeedbackKind, string> = { like: '👍', dislike: '👎', save: '🔖' };
const ACTION: Record<FeedbackKind, string> = { like: 'More like this', dislike: 'Less like this', save: 'Save' };
const QUESTION: Record<FeedbackKind, string> = {
  like: 'Show you more papers like this one?',
  dislike: 'Show you fewer papers like this one?',
  save: 'Save this paper to your reading list?',
};
const DONE: Record<FeedbackKind, { on: [string, string]; off: [string, string] }> = {
  like: {
    on: ['👍 Noted: more papers like this one', 'Your next digests lean towards papers like it. You can see what was learned in your preferences.'],
    off: ['Undone: no longer counted as a 👍', 'This paper no longer steers your digest towards papers like it.'],
  },
  dislike: {
    on: ['👎 Noted: fewer papers like this one', 'Your next digests lean away from papers like it. You can see what was learned in your preferences.'],
    off: ['Undone: no longer counted as a 👎', 'This paper no longer steers your digest away from papers like it.'],
  },
  save: {
    on: ['🔖 Saved to your reading list', 'Find it, with a BibTeX export, in your reading list.'],
    off: ['Removed from your reading list', 'The paper is no longer in your reading list.'],
  },
};

export const isOn = (marks: PaperMarks, kind: FeedbackKind): boolean => (kind === 'like' ? marks.liked : kind === 'dislike' ? marks.disliked : marks.saved);

export interface FeedbackButton {
  kind: FeedbackKind;
  on: '1' | '0';
  label: string;
}

/** The button that sets `kind` to the opposite of its current state. */
export function toggleButton(kind: FeedbackKind, marks: PaperMarks): FeedbackButton {
  if (!isOn(marks, kind)) return { kind, on: '1', label: `${ICON[kind]} ${ACTION[kind]}` };
  const off = { like: 'Take back the 👍', dislike: 'Take back the 👎', save: 'Remove from reading list' }[kind];
  return { kind, on: '0', label: off };
}

/** GET: what the link asks (null without a valid ?do=), and whether the page may submit it by itself. */
export function askView(kind: FeedbackKind | null, marks: PaperMarks) {
  if (!kind) return { ask: null, auto: false, already: null };
  // Already in that state: nothing to record; say so and offer the undo instead of posting again.
  if (isOn(marks, kind)) return { ask: null, auto: false, already: { heading: DONE[kind].on[0], detail: 'You had already chosen this.', undo: toggleButton(kind, marks) } };
  return { ask: { kind, icon: ICON[kind], button: ACTION[kind], question: QUESTION[kind] }, auto: true, already: null };
}

/** POST: what changed, the undo (or redo) button, and the other choices for this paper. */
export function resultView(kind: FeedbackKind, on: boolean, changed: boolean, marks: PaperMarks) {
  const [heading, detail] = DONE[kind][on ? 'on' : 'off'];
  return {
    result: {
      heading,
      detail: changed ? detail : `${detail} (It already was: nothing changed.)`,
      undo: on ? { kind, on: '0' as const, label: 'Undo' } : { kind, on: '1' as const, label: `${ICON[kind]} ${ACTION[kind]} after all` },
    },
    others: others(kind, marks),
  };
}

export function others(except: FeedbackKind | null, marks: PaperMarks): FeedbackButton[] {
  return FEEDBACK_KINDS.filter((k) => k !== except).map((k) => toggleButton(k, marks));
}
