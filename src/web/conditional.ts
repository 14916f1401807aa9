// Conditional responses for feeds and public pages: ETag (from the body) + Last-Modified, 304 when the client's
// copy is current (If-None-Match wins over If-Modified-Since), and the caller's Cache-Control either way.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagOf, httpDate, isNotModified } from '../feeds/http-cache.js';

export function sendConditional(
  req: FastifyRequest,
  reply: FastifyReply,
  r: { body: string; type: string; lastModified: string | Date; cacheControl: string },
): FastifyReply {
  const etag = etagOf(r.body);
  const lastModified = httpDate(r.lastModified);
  reply.header('etag', etag).header('last-modified', lastModified).header('cache-control', r.cacheControl).header('vary', 'accept-encoding');
  if (isNotModified(req.headers, etag, lastModified)) return reply.status(304).send();
  return reply.status(200).type(r.type).send(r.body);
}
