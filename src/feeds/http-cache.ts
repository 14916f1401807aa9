// Conditional GET for feeds and public pages (pure): a strong ETag from the body, Last-Modified from the newest
// item, and the RFC 9110 rule that If-None-Match wins over If-Modified-Since when both are sent.
import { createHash } from 'node:crypto';

export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** HTTP-date of an instant, to the second (HTTP dates carry no milliseconds). */
export function httpDate(iso: string | Date): string {
  return new Date(Math.floor(new Date(iso).getTime() / 1000) * 1000).toUTCString();
}

export function isNotModified(headers: { 'if-none-match'?: string | string[] | undefined; 'if-modified-since'?: string | undefined }, etag: string, lastModified: string): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    const tags = (Array.isArray(inm) ? inm.join(',') : inm).split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  const ims = headers['if-modified-since'];
  if (ims) {
    const since = Date.parse(ims);
    const modified = Date.parse(lastModified);
    return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
  }
  return false;
}
