// XML text and attribute escaping for the Atom writer (pure). Characters XML 1.0 forbids (C0 controls other than
// tab, LF, CR; lone surrogates; U+FFFE/FFFF) are dropped: scraped text may carry them, and one would make the whole
// document unreadable to a strict parser.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(s: string): string {
  return s.replace(INVALID, '').replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

export function xmlAttr(s: string): string {
  return xmlText(s).replace(/["']/g, (c) => (c === '"' ? '&quot;' : '&apos;'));
}

/** HTML escaping for content embedded (escaped again) in type="html" elements and JSON Feed content_html. */
export function htmlText(s: string): string {
  return s.replace(INVALID, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
