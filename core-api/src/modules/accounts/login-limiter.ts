import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ProblemError } from '../../http/problem.ts';

export interface LoginLimits {
  loginPerAccount: number;
  loginPerIp: number;
  windowSeconds: number;
}

/** 429 with Retry-After and the IETF RateLimit fields (the limit that was hit, and its window). */
function tooMany(res: RateLimiterRes, limit: number, windowSeconds: number): ProblemError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new ProblemError(429, `Too many sign-in attempts. Try again in ${seconds} seconds.`, {
    headers: { 'Retry-After': String(seconds), RateLimit: `limit=${limit}, remaining=0, reset=${seconds}`, 'RateLimit-Policy': `${limit};w=${windowSeconds}` },
  });
}

/**
 * Counts sign-in attempts in Postgres, so every API replica shares the counts: every attempt per
 * client IP, failed attempts per account (whether or not the account exists).
 */
export class LoginLimiter {
  private readonly perIp: RateLimiterPostgres;
  private readonly perAccount: RateLimiterPostgres;
  private readonly accountLimit: number;
  private readonly limits: LoginLimits;

  constructor(db: Knex, limits: LoginLimits) {
    const common = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false };
    this.perIp = new RateLimiterPostgres({ ...common, keyPrefix: 'login-ip', points: limits.loginPerIp, duration: limits.windowSeconds });
    this.perAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'login-account', points: limits.loginPerAccount, duration: limits.windowSeconds });
    this.accountLimit = limits.loginPerAccount;
    this.limits = limits;
  }

  /** Counts this attempt against the IP; refuses when the IP or the account is over its limit. */
  async attempt(account: string, ip: string): Promise<void> {
    const blocked = await this.perAccount.get(account);
    if (blocked && blocked.consumedPoints >= this.accountLimit) throw tooMany(blocked, this.accountLimit, this.limits.windowSeconds);
    try {
      await this.perIp.consume(ip);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err, this.limits.loginPerIp, this.limits.windowSeconds);
      throw err;
    }
  }

  async failed(account: string): Promise<void> {
    try {
      await this.perAccount.consume(account);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
    }
  }

  async succeeded(account: string): Promise<void> {
    await this.perAccount.delete(account);
  }
}
