// GET /archive/<token>: a delivered digest, in the browser. The delivery ledger renders its web view again from what
// it keeps of the edition (the papers and why each was chosen: src/digest/archive.ts); nothing is stored per digest.
// Email HTML depends on inline styles, so this one route relaxes style-src to 'unsafe-inline'; scripts, frames,
// forms and base stay forbidden as everywhere.
import type { FastifyInstance } from 'fastify';
import { SECURITY_HEADERS } from '../app.js';
import type { Kit } from '../page-kit.js';

export const ARCHIVE_CSP =
  "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src https: data:; font-src https: data:; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export function archiveRoutes(app: FastifyInstance, kit: Kit): void {
  const { deps } = kit;
  app.get<{ Params: { token: string } }>('/archive/:token', async (req, reply) => {
    const found = await kit.resolve(req.params.token, 'archive');
    if (!found || 'expired' in found || !found.period) return kit.notFound(reply);
    const html = await deps.archive(found.subscriber.id, found.period);
    if (!html) {
      return kit.message(reply, 404, {
        title: 'Not archived',
        heading: 'This digest is no longer available',
        paragraphs: ['Older editions are removed after a while. Your newest digest is always in your inbox.'],
      });
    }
    return reply
      .status(200)
      .header('content-security-policy', ARCHIVE_CSP)
      .header('referrer-policy', SECURITY_HEADERS['referrer-policy']!)
      .header('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(html);
  });
}
