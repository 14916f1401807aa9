// A loopback stand-in for huggingface.co: serves the captured fixtures at the real paths (with ETags and 304s),
// and can be scripted per request to answer with faults: a status with headers (429 + Retry-After, 500), a hang,
// an oversized or truncated body, any body at all. Point config.hfBaseUrl (HF_BASE_URL) at `url`.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FIXTURES, readFixture } from './fixtures.js';

export interface Step {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
  /** Stream this many bytes of filler, in chunks, without a Content-Length. */
  streamBytes?: number;
}

export interface Route {
  body: string;
  contentType: string;
  etag: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface HfServer {
  url: string;
  requests: RecordedRequest[];
  /** Answer the next request whose path starts with `pathPrefix` with `step` (queued, one-shot, in order). */
  enqueue(pathPrefix: string, ...steps: Step[]): void;
  /** Set what a path (pathname + search, or pathname alone) serves by default. */
  route(path: string, body: string, opts?: { contentType?: string; etag?: string | null }): void;
  close(): Promise<void>;
}

const etagOf = (body: string) => `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;

export async function startHfServer(): Promise<HfServer> {
  const page = readFixture(FIXTURES.page);
  const api = readFixture(FIXTURES.api);
  const routes = new Map<string, Route>();
  const route: HfServer['route'] = (path, body, opts = {}) => {
    routes.set(path, {
      body,
      contentType: opts.contentType ?? (body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8'),
      etag: opts.etag === undefined ? etagOf(body) : opts.etag,
    });
  };
  route('/papers', page);
  route('/papers/date/2026-09-28', page);
  route('/api/daily_papers', api);
  const queue: { prefix: string; step: Step }[] = [];
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const qi = queue.findIndex((q) => path.startsWith(q.prefix));
    if (qi >= 0) {
      const [{ step }] = queue.splice(qi, 1) as [{ prefix: string; step: Step }];
      if (step.hang) {
        hanging.add(res);
        return;
      }
      if (step.streamBytes) {
        res.writeHead(step.status ?? 200, { 'content-type': 'text/html', ...step.headers });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let left = step.streamBytes;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        pump();
        return;
      }
      res.writeHead(step.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...step.headers });
      res.end(step.body ?? '');
      return;
    }
    const u = new URL(path, 'http://x');
    // The API: the fixture is page 0 of any day; later pages are empty.
    if (u.pathname === '/api/daily_papers' && !routes.has(path) && Number(u.searchParams.get('p') ?? 0) > 0) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
      return;
    }
    const r = routes.get(path) ?? routes.get(u.pathname);
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (r.etag && req.headers['if-none-match'] === r.etag) {
      res.writeHead(304, { etag: r.etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': r.contentType, ...(r.etag ? { etag: r.etag } : {}) });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (prefix, ...steps) => {
      for (const step of steps) queue.push({ prefix, step });
    },
    route,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
