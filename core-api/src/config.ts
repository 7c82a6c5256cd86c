import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import proxyaddr from 'proxy-addr';
import type { S3Settings } from './platform/storage/s3.ts';

/** Everything the process reads from its environment, read once. Unset = embedded mode. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  publicUrl: string;
  /**
   * Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (proxy-addr syntax: addresses,
   * CIDRs, `loopback`, `linklocal`, `uniquelocal`). Empty: the socket's address is the client's.
   */
  trustedProxies: string[];
  /** Where multipart uploads are written while a request is handled (each request in its own folder). */
  uploadTmpDir: string;
  corsOrigins: string[];
  auth: {
    jwtSecret: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    bcryptRounds: number;
    secureCookies: boolean;
  };
  rateLimit: {
    /** Failed sign-ins for one account from one client address, per `windowSeconds`. */
    loginPerAccountAndIp: number;
    /** Failed sign-ins for one account from anywhere, per `accountWindowSeconds` (short: a stranger cannot lock the owner out for long). */
    loginPerAccount: number;
    accountWindowSeconds: number;
    /** Every sign-in attempt from one client address, per `windowSeconds`. */
    loginPerIp: number;
    windowSeconds: number;
    /** Wrong current passwords on POST /me/password per account, per `windowSeconds`. */
    passwordChangePerAccount: number;
    /** Registrations per client address per 10 minutes. */
    registerPerIp: number;
  };
  databaseUrl?: string;
  s3?: S3Settings;
  s3PublicUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  mongoUrl?: string;
  meili?: { url: string; apiKey?: string };
  seedDemo: boolean;
  payments: {
    /** How long a virtual account waits for its transfer before the orders are cancelled. */
    ttlSeconds: number;
    /** Signs the gateway's notifications (HMAC-SHA256). */
    webhookSecret: string;
  };
  outbox: { retentionDays: number };
  /** Whether this process runs the job scheduler (false: an API replica beside `npm run worker`). */
  jobs: boolean;
  performance: {
    /** How often buffered view and add-to-cart counts are written. */
    counterFlushMs: number;
    /** Memory for cached public catalog answers; 0 turns the cache off. */
    catalogCacheBytes: number;
  };
  /** The front ends the root `npm start` runs beside the API (STOREFRONT_URL, SELLER_PORTAL_URL): named in the start banner. */
  banner: { storefrontUrl?: string; sellerPortalUrl?: string };
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** A comma-separated list; `none` (or blank after trimming) is the empty list. */
function list(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  return items.length === 1 && items[0] === 'none' ? [] : items;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Embedded mode keeps a generated secret beside its data so it survives a restart (and other processes on the same DATA_DIR share it). */
function embeddedSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** A signing secret of at least 32 characters: given, else required in production, else kept in DATA_DIR/`file`. */
function secret(env: Env, name: string, production: boolean, dataDir: string, file: string): string {
  const given = env[name];
  if (!given) {
    if (production) throw new ConfigError(`${name} must be set in production`);
    return embeddedSecret(dataDir, file);
  }
  if (given.length < 32) throw new ConfigError(`${name} must be at least 32 characters`);
  return given;
}

function jobsSwitch(raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`JOBS must be on or off, got "${raw}"`);
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' || env.NODE_ENV === 'test' ? env.NODE_ENV : 'development';
  const production = nodeEnv === 'production';
  const dataDir = path.resolve(env.DATA_DIR || path.join(process.env.INIT_CWD ?? process.cwd(), '.data'));
  const port = int(env, 'PORT', 3000);

  const jwtSecret = secret(env, 'JWT_SECRET', production, dataDir, 'jwt-secret');

  const accessTokenTtlSeconds = int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900);
  if (accessTokenTtlSeconds > 900 || accessTokenTtlSeconds === 0) {
    throw new ConfigError('ACCESS_TOKEN_TTL_SECONDS must be between 1 and 900 (15 minutes)');
  }

  const webhookSecret = secret(env, 'PAYMENT_WEBHOOK_SECRET', production, dataDir, 'payment-webhook-secret');

  // the storefront's server runs beside the API in development and forwards shoppers' addresses
  const trustedProxies = list(env, 'TRUSTED_PROXIES', production ? [] : ['loopback']);
  try {
    proxyaddr.compile(trustedProxies);
  } catch (err) {
    throw new ConfigError(`TRUSTED_PROXIES: ${(err as Error).message}`);
  }

  const s3Endpoint = env.S3_ENDPOINT;
  if (s3Endpoint && (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('S3_ENDPOINT needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  }

  return {
    env: nodeEnv,
    port,
    host: env.HOST || '0.0.0.0',
    dataDir,
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    trustedProxies,
    uploadTmpDir: path.resolve(env.UPLOAD_TMP_DIR || tmpdir()),
    corsOrigins: (env.CORS_ORIGINS || (production ? '' : 'http://localhost:4321,http://localhost:5173'))
      .split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    auth: {
      jwtSecret,
      accessTokenTtlSeconds,
      refreshTokenTtlDays: int(env, 'REFRESH_TOKEN_TTL_DAYS', 30),
      bcryptRounds: int(env, 'BCRYPT_ROUNDS', production ? 12 : 10),
      secureCookies: production,
    },
    rateLimit: {
      loginPerAccountAndIp: int(env, 'LOGIN_LIMIT_PER_ACCOUNT_AND_IP', 10),
      loginPerAccount: int(env, 'LOGIN_LIMIT_PER_ACCOUNT', 10),
      accountWindowSeconds: int(env, 'LOGIN_LIMIT_ACCOUNT_WINDOW_SECONDS', 30),
      loginPerIp: int(env, 'LOGIN_LIMIT_PER_IP', 30),
      windowSeconds: int(env, 'LOGIN_LIMIT_WINDOW_SECONDS', 900),
      passwordChangePerAccount: int(env, 'PASSWORD_CHANGE_LIMIT_PER_ACCOUNT', 5),
      registerPerIp: int(env, 'REGISTER_LIMIT_PER_IP', 30),
    },
    databaseUrl: env.DATABASE_URL || undefined,
    s3: s3Endpoint
      ? {
          endpoint: s3Endpoint,
          region: env.S3_REGION || 'us-east-1',
          bucket: env.S3_BUCKET || 'pasar',
          accessKeyId: env.S3_ACCESS_KEY_ID!,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
          forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', true),
        }
      : undefined,
    s3PublicUrl: env.S3_PUBLIC_URL?.replace(/\/$/, '') || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Pasar <no-reply@pasar.test>',
    mongoUrl: env.MONGO_URL || undefined,
    meili: env.MEILI_URL ? { url: env.MEILI_URL, apiKey: env.MEILI_API_KEY || undefined } : undefined,
    seedDemo: bool(env, 'SEED_DEMO', !production),
    payments: { ttlSeconds: int(env, 'PAYMENT_TTL_SECONDS', 86400), webhookSecret },
    outbox: { retentionDays: int(env, 'OUTBOX_RETENTION_DAYS', 7) },
    jobs: jobsSwitch(env.JOBS),
    performance: {
      counterFlushMs: Math.max(10, int(env, 'COUNTER_FLUSH_MS', 1000)),
      catalogCacheBytes: int(env, 'CATALOG_CACHE_MB', 32) * 2 ** 20,
    },
    banner: { storefrontUrl: env.STOREFRONT_URL || undefined, sellerPortalUrl: env.SELLER_PORTAL_URL || undefined },
  };
}
