// Secrets without defaults in code: when LINK_SECRETS or ADMIN_TOKEN is not configured, generate a strong value
// once, keep it under DATA_DIR (mode 0600) so links in sent emails and admin logins survive restarts, and say so
// once in the log. A configured value always wins.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, LinkSecret } from './config.js';
import { adminTokenProblem, parseLinkSecrets } from './config.js';
import type { Logger } from './log.js';

export interface ResolvedSecrets {
  linkSecrets: LinkSecret[];
  adminToken: string;
  generated: { linkSecrets: boolean; adminToken: boolean };
  file: string;
}

interface SecretsFile {
  linkSecrets?: string;
  adminToken?: string;
}

export function resolveSecrets(config: Pick<Config, 'linkSecrets' | 'adminToken' | 'dataDir'>, log: Logger): ResolvedSecrets {
  const file = join(config.dataDir, 'secrets.json');
  let stored: SecretsFile = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
    } catch (err) {
      throw new Error(`${file} is not valid JSON; fix or remove it (removing it invalidates links in sent emails)`, { cause: err });
    }
  }
  let dirty = false;
  let linkSecrets = config.linkSecrets;
  const generated = { linkSecrets: false, adminToken: false };
  if (!linkSecrets) {
    if (!stored.linkSecrets || parseLinkSecrets(stored.linkSecrets).problems.length > 0) {
      stored.linkSecrets = `k1:${randomBytes(32).toString('base64url')}`;
      dirty = true;
      generated.linkSecrets = true;
    }
    linkSecrets = parseLinkSecrets(stored.linkSecrets).secrets;
  }
  let adminToken = config.adminToken;
  if (!adminToken) {
    if (!stored.adminToken || adminTokenProblem(stored.adminToken)) {
      stored.adminToken = randomBytes(24).toString('base64url');
      dirty = true;
      generated.adminToken = true;
    }
    adminToken = stored.adminToken;
  }
  if (dirty) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  }
  if (generated.linkSecrets) log.warn({ file }, 'LINK_SECRETS not set: generated a link-signing key and stored it; set LINK_SECRETS to manage it yourself');
  if (generated.adminToken) log.warn({ file }, 'ADMIN_TOKEN not set: generated an admin token and stored it; set ADMIN_TOKEN to manage it yourself');
  return { linkSecrets, adminToken, generated, file };
}
