// Configuration: one zod schema, read from the environment once at start. Every problem is reported at once,
// each under the variable's name. Secrets have no defaults here: when LINK_SECRETS or ADMIN_TOKEN is unset,
// src/secrets.ts generates strong ones and keeps them under DATA_DIR.
import { resolve } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `kid:secret` pairs, comma separated, newest first. The newest signs; all verify. */
export interface LinkSecret {
  kid: string;
  secret: string;
}

const MIN_SECRET_LENGTH = 32;
const MIN_ADMIN_TOKEN_LENGTH = 24;

function weakReason(value: string, min: number): string | null {
  if (value.length < min) return `must be at least ${min} characters`;
  if (new Set(value).size < 8) return 'is too repetitive to be a secret';
  if (/^(changeme|secret|password|admin|test)/i.test(value)) return 'looks like a placeholder, not a secret';
  return null;
}

export function parseLinkSecrets(raw: string): { secrets: LinkSecret[]; problems: string[] } {
  const problems: string[] = [];
  const secrets: LinkSecret[] = [];
  const seen = new Set<string>();
  for (const [i, part] of raw.split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const sep = part.indexOf(':');
    if (sep <= 0) {
      problems.push(`entry ${i + 1} must look like <key-id>:<secret>`);
      continue;
    }
    const kid = part.slice(0, sep);
    const secret = part.slice(sep + 1);
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(kid)) problems.push(`key id "${kid}" must be 1–16 of [A-Za-z0-9_-]`);
    if (seen.has(kid)) problems.push(`key id "${kid}" appears twice`);
    seen.add(kid);
    const weak = weakReason(secret, MIN_SECRET_LENGTH);
    if (weak) problems.push(`secret for key "${kid}" ${weak}`);
    secrets.push({ kid, secret });
  }
  if (secrets.length === 0 && problems.length === 0) problems.push('holds no key');
  return { secrets, problems };
}

export function adminTokenProblem(token: string): string | null {
  return weakReason(token, MIN_ADMIN_TOKEN_LENGTH);
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const envSchema = z
  .object({
    REDIS_URL: z.preprocess(emptyToUndefined, url(['redis:', 'rediss:']).optional()),
    REDIS_PREFIX: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^(\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9_.-]+)$/, 'must be letters, digits, _ . - (or one {hash-tag} for Redis Cluster)')
        .default('pd'),
    ),
    SMTP_URL: z.preprocess(emptyToUndefined, url(['smtp:', 'smtps:']).optional()),
    MAIL_REPLY_TO: optionalString,
    LIST_UNSUBSCRIBE_MAILTO: optionalString,
    DKIM_DOMAIN: optionalString,
    DKIM_SELECTOR: optionalString,
    DKIM_PRIVATE_KEY_FILE: optionalString,
    PUBLIC_URL: z.preprocess(emptyToUndefined, url(['http:', 'https:']).optional()),
    HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
    PORT: z.preprocess(emptyToUndefined, z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).default(3000)),
    LINK_SECRETS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .superRefine((v, ctx) => {
          for (const p of parseLinkSecrets(v).problems) ctx.addIssue({ code: 'custom', message: p });
        })
        .optional(),
    ),
    ADMIN_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .superRefine((v, ctx) => {
          const p = adminTokenProblem(v);
          if (p) ctx.addIssue({ code: 'custom', message: p });
        })
        .optional(),
    ),
    MAIL_FROM: z.preprocess(emptyToUndefined, z.string().regex(/@/, 'must hold an address').optional()),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(LOG_LEVELS).default('info')),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
    HF_BASE_URL: z.preprocess(emptyToUndefined, url(['http:', 'https:']).default('https://huggingface.co')),
    SHUTDOWN_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).default(20_000)),
    OUTBOX_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number({ message: 'must be a number of days' }).int().min(0).max(3650).default(14)),
    TRUST_PROXY: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, 'must be false, true, a hop count, or a comma list of proxy IPs/CIDRs')
        .default('false'),
    ),
    // Provider webhooks (bounces and complaints): each endpoint answers 404 until its secret is set.
    WEBHOOK_SES_TOPIC_ARNS: z.preprocess(
      emptyToUndefined,
      z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+(,arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+)*$/, 'must be a comma list of SNS topic ARNs (arn:aws:sns:<region>:<account>:<topic>)').optional(),
    ),
    WEBHOOK_POSTMARK_AUTH: z.preprocess(emptyToUndefined, z.string().regex(/^[^:\s]+:\S{16,}$/, 'must be <user>:<password> with a password of at least 16 characters').optional()),
    WEBHOOK_SENDGRID_PUBLIC_KEY: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9+/=\s-]{40,}$/, 'must be the base64 verification key SendGrid shows').optional()),
    WEBHOOK_MAILGUN_SIGNING_KEY: z.preprocess(emptyToUndefined, z.string().min(16, 'must be the HTTP webhook signing key from Mailgun').optional()),
    WEBHOOK_RESEND_SECRET: z.preprocess(emptyToUndefined, z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be the whsec_… signing secret Resend shows').optional()),
    WEBHOOK_GENERIC_SECRET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .superRefine((v, ctx) => {
          const p = weakReason(v, MIN_SECRET_LENGTH);
          if (p) ctx.addIssue({ code: 'custom', message: p });
        })
        .optional(),
    ),
  })
  .superRefine((env, ctx) => {
    const dkim = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY_FILE].filter(Boolean).length;
    if (dkim !== 0 && dkim !== 3) {
      ctx.addIssue({ code: 'custom', path: ['DKIM_DOMAIN'], message: 'DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE together' });
    }
  });

/** Every environment variable the app reads (documented in README and .env.example; a test keeps them in step). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  redisUrl: string | null; // null = embedded default (127.0.0.1:6379 or a managed redis-server)
  redisPrefix: string;
  smtpUrl: string | null; // null = outbox transport
  mailFrom: string;
  mailReplyTo: string | null;
  listUnsubscribeMailto: string | null;
  dkim: { domainName: string; keySelector: string; privateKeyFile: string } | null;
  publicUrl: string; // no trailing slash
  host: string;
  port: number;
  linkSecrets: LinkSecret[] | null; // null = generate / load from DATA_DIR
  adminToken: string | null; // null = generate / load from DATA_DIR
  logLevel: (typeof LOG_LEVELS)[number];
  dataDir: string; // absolute
  hfBaseUrl: string; // no trailing slash
  shutdownTimeoutMs: number;
  /** Outbox transport only: messages older than this many days are deleted (0 = keep forever). */
  outboxRetentionDays: number;
  /**
   * Which X-Forwarded-For hops to believe (fastify trustProxy). False by default: a client that reaches the app
   * directly could otherwise spoof its IP and dodge the per-IP rate limit.
   */
  trustProxy: boolean | number | string[];
  /** Provider webhook secrets (null = that endpoint is off). Never logged. */
  webhooks: WebhookSecrets;
}

export interface WebhookSecrets {
  /** Amazon SES through SNS: the topic ARNs whose messages are accepted (the signature is SNS's own). */
  sesTopicArns: string[] | null;
  /** Postmark: `user:password` of the basic auth put in the webhook URL. */
  postmarkAuth: string | null;
  /** SendGrid signed event webhook: the ECDSA verification key (base64 DER). */
  sendgridPublicKey: string | null;
  /** Mailgun HTTP webhook signing key. */
  mailgunSigningKey: string | null;
  /** Resend (Svix) signing secret, `whsec_…`. */
  resendSecret: string | null;
  /** The generic JSON endpoint's HMAC secret. */
  genericSecret: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse the environment once. Throws ConfigError listing every problem, each named by its variable. */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? 'env')}: ${i.message}`));
  }
  const e = parsed.data;
  const port = e.PORT;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const host = new URL(publicUrl).hostname;
  return {
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM ?? `Papers Digest <digest@${defaultMailHost(host)}>`,
    mailReplyTo: e.MAIL_REPLY_TO ?? null,
    listUnsubscribeMailto: e.LIST_UNSUBSCRIBE_MAILTO ?? null,
    dkim:
      e.DKIM_DOMAIN && e.DKIM_SELECTOR && e.DKIM_PRIVATE_KEY_FILE
        ? { domainName: e.DKIM_DOMAIN, keySelector: e.DKIM_SELECTOR, privateKeyFile: resolve(cwd, e.DKIM_PRIVATE_KEY_FILE) }
        : null,
    publicUrl,
    host: e.HOST,
    port,
    linkSecrets: e.LINK_SECRETS ? parseLinkSecrets(e.LINK_SECRETS).secrets : null,
    adminToken: e.ADMIN_TOKEN ?? null,
    logLevel: e.LOG_LEVEL,
    dataDir: resolve(cwd, e.DATA_DIR),
    hfBaseUrl: e.HF_BASE_URL.replace(/\/+$/, ''),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    outboxRetentionDays: e.OUTBOX_RETENTION_DAYS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    webhooks: {
      sesTopicArns: e.WEBHOOK_SES_TOPIC_ARNS ? e.WEBHOOK_SES_TOPIC_ARNS.split(',') : null,
      postmarkAuth: e.WEBHOOK_POSTMARK_AUTH ?? null,
      sendgridPublicKey: e.WEBHOOK_SENDGRID_PUBLIC_KEY ? e.WEBHOOK_SENDGRID_PUBLIC_KEY.replace(/\s+/g, '') : null,
      mailgunSigningKey: e.WEBHOOK_MAILGUN_SIGNING_KEY ?? null,
      resendSecret: e.WEBHOOK_RESEND_SECRET ?? null,
      genericSecret: e.WEBHOOK_GENERIC_SECRET ?? null,
    },
  };
}

/** The mail domain used in Message-IDs: the MAIL_FROM address's domain. */
export function mailDomain(config: Pick<Config, 'mailFrom'>): string {
  const m = /@([^>\s]+)/.exec(config.mailFrom);
  return m?.[1] ?? 'localhost';
}

function parseTrustProxy(v: string): boolean | number | string[] {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',');
}

/** A host name usable after the @ of the default sender: not a bare name (localhost) and not an IP literal. */
function defaultMailHost(host: string): string {
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':') || host.startsWith('[');
  return !isIp && host.includes('.') ? host : 'localhost.localdomain';
}
