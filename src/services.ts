// Composition of the domain services on top of the infrastructure context. Each domain adds its store/service
// here; roles (main.ts), the web app and CLI commands all take what they need from this one object.
import type { Context } from './context.js';

export interface Services {
  ctx: Context;
}

export async function createServices(ctx: Context): Promise<Services> {
  return { ctx };
}
