// Bull Board (the BullMQ queue UI) mounted under /admin/queues, inside the admin context so the same token
// guards it. Its UI needs a relaxed Content-Security-Policy on these routes only: its page carries inline
// `style` attributes and a <style> block for the loading screen, and it pulls IBM Plex from Google Fonts.
// Scripts stay 'self' (its bundles are served from /admin/queues/static); the rest of the site keeps the strict
// policy from src/web/app.ts. The app-wide onSend hook only sets a header that is not already set, so setting
// ours early (onRequest) wins for these routes.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { QUEUE_NAMES, type OpsQueues } from '../../queue/handles.js';
import { sameOriginProblem } from './csrf.js';

export const BULL_BOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; " +
  "font-src 'self' https://fonts.gstatic.com; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

export async function mountBullBoard(admin: FastifyInstance, queues: OpsQueues, basePath: string, publicUrl: string): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: QUEUE_NAMES.map((n) => new BullMQAdapter(queues[n])),
    // @bull-board/fastify pins its own copy of @bull-board/api (9.10.1 beside our 9.10.2); the adapter is
    // duck-typed at run time, only the two copies' private fields make the declared types differ.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Papers Digest queues', miscLinks: [{ text: '← Admin dashboard', url: '/admin' }] } },
  });
  await admin.register(
    async (board) => {
      board.addHook('onRequest', async (req, reply) => {
        reply.header('content-security-policy', BULL_BOARD_CSP);
        // Its UI changes queues with same-origin fetch() PUT/POSTs (retry, clean, pause, add): a browser always
        // sends Origin on those, so a page on another site riding on the basic-auth session is refused here.
        if (req.method !== 'GET' && req.method !== 'HEAD' && req.adminAuth !== 'bearer') {
          const problem = sameOriginProblem(req, publicUrl);
          if (problem) return reply.status(403).send({ error: 'FORBIDDEN', message: problem });
        }
      });
      await board.register(serverAdapter.registerPlugin());
    },
    { prefix: '/queues' },
  );
}
