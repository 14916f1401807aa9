// Which route plugins the web role mounts, in order. Each domain contributes one registration function.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';

export function webPlugins(_services: Services): ((app: FastifyInstance) => Promise<void> | void)[] {
  return [];
}
