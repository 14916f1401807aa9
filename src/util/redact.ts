// What may be shown of a secret or an address. Addresses shown to operators are masked (j***@example.org): enough
// to recognise a complaint, not enough to harvest a list from a screenshot or a shared screen.
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** A URL with its password (if any) replaced by *** — for banners and logs (REDIS_URL, SMTP_URL). */
export function redactUrl(u: string): string {
  try {
    const parsed = new URL(u);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return u;
  }
}

/**
 * A request URL with every capability taken out, for logs: each path segment that looks like a signed token (32+
 * base64url characters, whatever route it follows — confirm, preferences, unsubscribe, archive, and any signed-link
 * route added later) becomes `[token]`, and so does every query value of 32+ characters. Ids, periods and page
 * names are shorter and stay readable.
 */
export function redactUrlTokens(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const redactedPath = path
    .split('/')
    .map((seg) => (/^[A-Za-z0-9_%=.~-]{32,}$/.test(seg) ? '[token]' : seg))
    .join('/');
  if (q < 0) return redactedPath;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((kv) => {
      const eq = kv.indexOf('=');
      return eq >= 0 && kv.length - eq - 1 >= 32 ? `${kv.slice(0, eq)}=[token]` : kv.length >= 32 && eq < 0 ? '[token]' : kv;
    })
    .join('&');
  return `${redactedPath}?${query}`;
}
