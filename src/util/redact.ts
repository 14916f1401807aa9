// Addresses shown to operators are masked (j***@example.org): enough to recognise a complaint, not enough to
// harvest a list from a screenshot or a shared screen.
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
