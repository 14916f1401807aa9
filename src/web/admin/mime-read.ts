// Just enough MIME reading to show an outbox .eml to an operator: headers (unfolded, RFC 2047 encoded-words
// decoded), and the text/plain and text/html parts of a (possibly nested) multipart message, with base64 and
// quoted-printable decoded. Pure. Not a general parser: attachments and exotic charsets are out of scope — the
// raw message is always one click away.
export interface ReadMime {
  headers: { name: string; value: string }[];
  subject: string;
  text: string;
  html: string | null;
}

function splitHead(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? [raw.slice(0, m.index), raw.slice(m.index + m[0].length)] : [raw, ''];
}

function decodeWords(v: string): string {
  return v.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?/g, (_all, _cs: string, enc: string, data: string) => {
    if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
    const bytes = data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  });
}

export function parseHeaders(head: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.push({ name: line.slice(0, i).trim(), value: decodeWords(line.slice(i + 1).trim()) });
  }
  return out;
}

function header(headers: { name: string; value: string }[], name: string): string {
  return headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
}

function decodeBody(body: string, encoding: string): string {
  const enc = encoding.toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function walk(raw: string, into: { text: string | null; html: string | null }): void {
  const [head, body] = splitHead(raw);
  const headers = parseHeaders(head);
  const type = header(headers, 'content-type') || 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
    for (const part of parts.slice(1)) if (part.trim()) walk(part, into);
    return;
  }
  const decoded = decodeBody(body, header(headers, 'content-transfer-encoding'));
  if (/^text\/html/i.test(type)) into.html ??= decoded;
  else if (/^text\/plain/i.test(type)) into.text ??= decoded;
}

export function readMime(raw: string): ReadMime {
  const [head] = splitHead(raw);
  const headers = parseHeaders(head);
  const parts: { text: string | null; html: string | null } = { text: null, html: null };
  walk(raw, parts);
  return { headers, subject: header(headers, 'subject'), text: parts.text ?? '', html: parts.html };
}
