// The pages' one stylesheet and one small script, read once at build and served from memory with a short
// cache lifetime (no build step, no fingerprinting; an hour of staleness after a deploy is acceptable).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const FILES: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export function staticRoutes(app: FastifyInstance, dir = fileURLToPath(new URL('./static/', import.meta.url))): void {
  for (const [name, type] of Object.entries(FILES)) {
    const body = readFileSync(`${dir}${name}`);
    app.get(`/static/${name}`, async (_req, reply) => reply.type(type).header('cache-control', 'public, max-age=3600').send(body));
  }
}
