// The per-recipient fill as ONE contiguous Buffer of UTF-8 bytes, ready for the transport. The string fill
// (compileFast) returns a V8 rope; whoever reads it first (nodemailer's encoder) flattens and UTF-8-encodes all
// ~27 KB per recipient, which costs more than the fill. Here the template's static text (between top-level
// placeholders) is encoded ONCE at compile time, each shared frozen card is encoded once (cached per card object,
// as compileFast caches its string), and per recipient only the small top-level pieces (subject, links, footer…)
// are filled and written: one allocation, every byte written once.
// The result must equal Buffer.from(compileFast's string, 'utf8') byte for byte: compileTemplates checks it at
// start on the sample views, and test/unit/mail/render-bytes.test.ts on hostile ones.
import { createHbs, FAST, LOOP_HELPER, runtimeOptions, splitLoop, TemplateError, usesData, withRuntime, type Fill, type Hbs } from './templates-compile.js';

export type FillBytes<V> = (view: V) => Buffer;

type Piece = Buffer | ((view: object) => string) | 'loop';

/**
 * The Buffer fill of `source` (an HTML template; escaping as compileFast's). Only templates with a splittable
 * `{{#each list}}` loop (splitLoop) gain anything; for any other, or a view whose `list` is not an array, it is
 * Buffer.from(fallback(view)), the string fill encoded.
 */
export function compileFastBytes<V extends object>(hbs: Hbs, name: string, source: string, list: string, fallback: Fill<V>): FillBytes<V> {
  const encoded: FillBytes<V> = (view) => Buffer.from(fallback(view), 'utf8');
  let split;
  try {
    split = splitLoop(hbs, source, list);
  } catch (err) {
    throw new TemplateError(name, [(err as Error).message]);
  }
  if (!split) return encoded;
  const env = createHbs();
  const rt = runtimeOptions(env);
  // The parse already applied whitespace control to the whole template: nothing is stripped twice.
  const opts = { ...FAST, ignoreStandalone: true };
  const compile = (body: hbs.AST.Statement[]) => {
    const program = { type: 'Program', body, blockParams: [], strip: {}, loc: body[0]?.loc } as unknown as hbs.AST.Program;
    return withRuntime(env.compile<object>(program, opts), rt, usesData(program));
  };
  // Top-level statements of the outer template: text runs pre-encoded (merged), the loop call marked, every other
  // statement ({{x}}, {{#if}}…) a fill of its own with the root view as context — what it is in the whole template.
  const pieces: Piece[] = [];
  let text = '';
  for (const st of split.outer.body) {
    if (st.type === 'ContentStatement') {
      text += (st as hbs.AST.ContentStatement).value;
      continue;
    }
    if (text) pieces.push(Buffer.from(text, 'utf8'));
    text = '';
    const m = st as hbs.AST.MustacheStatement;
    pieces.push(m.type === 'MustacheStatement' && (m.path as hbs.AST.PathExpression).original === LOOP_HELPER ? 'loop' : compile([st]));
  }
  if (text) pieces.push(Buffer.from(text, 'utf8'));
  const itemFill = compile(split.item.body);
  // Cached for FROZEN items only (see compileFast: a frozen object of primitives cannot go stale).
  const cards = new WeakMap<object, Buffer>();
  const cardOf = (x: unknown): Buffer => {
    if (typeof x !== 'object' || x === null) return Buffer.from(itemFill(x as object), 'utf8');
    let b = cards.get(x);
    if (b === undefined) {
      b = Buffer.from(itemFill(x), 'utf8');
      if (Object.isFrozen(x)) cards.set(x, b);
    }
    return b;
  };

  const fill = (view: V): Buffer => {
    const items = (view as Record<string, unknown>)[list];
    if (!Array.isArray(items)) return encoded(view); // #each over a non-list: leave it to the string fill
    // Pass 1: fill the dynamic pieces and count bytes. Pass 2: one allocation, each piece written into it.
    const parts: (Buffer | string)[] = [];
    let size = 0;
    for (const p of pieces) {
      if (p === 'loop') {
        for (let i = 0; i < items.length; i++) {
          if (!(i in items)) continue; // holes skipped, as #each does
          const b = cardOf(items[i]);
          parts.push(b);
          size += b.length;
        }
      } else if (typeof p === 'function') {
        const s = p(view);
        parts.push(s);
        size += Buffer.byteLength(s, 'utf8');
      } else {
        parts.push(p);
        size += p.length;
      }
    }
    // allocUnsafe: every byte is written below (size counted exactly from the same parts).
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of parts) at += typeof p === 'string' ? out.write(p, at, 'utf8') : p.copy(out, at);
    return out;
  };
  return (view: V) => {
    try {
      return fill(view);
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      throw new TemplateError(name, [(err as Error).message]);
    }
  };
}
