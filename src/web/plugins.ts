// Which route plugins the web role mounts, in order. Each domain contributes one registration function.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { adminPlugins } from './admin/index.js';
import { subscriptionRoutes } from './subscription-services.js';
import { feedsPlugins } from './feeds-plugin.js';
import { webhookRoutes } from './webhooks/index.js';

export function webPlugins(services: Services): ((app: FastifyInstance) => Promise<void> | void)[] {
  return [subscriptionRoutes(services), ...feedsPlugins(services), ...adminPlugins(services), webhookRoutes(services)];
}
