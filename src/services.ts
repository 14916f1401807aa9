// Composition of the domain services on top of the infrastructure context. Each domain adds its store/service
// here; roles (main.ts), the web app and CLI commands all take what they need from this one object.
import type { Context } from './context.js';
import { createMetrics, type Metrics } from './ops/metrics.js';

export interface Services {
  ctx: Context;
  metrics: Metrics;
}

export async function createServices(ctx: Context): Promise<Services> {
  const metrics = createMetrics({ defaultMetrics: true });
  return { ctx, metrics };
}
