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
