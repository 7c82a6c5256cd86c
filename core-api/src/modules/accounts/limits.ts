import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../config.ts';
import { DomainError } from '../../domain/errors.ts';

/** Rate limited, with the limit that was hit (http/ answers it with Retry-After and the IETF RateLimit fields). */
function tooMany(res: RateLimiterRes, what: string, limiter: RateLimiterPostgres): DomainError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new DomainError('rate-limited', `Too many ${what}. Try again in ${seconds} seconds.`, {
    limit: { retryAfterSeconds: seconds, points: limiter.points, windowSeconds: limiter.duration },
  });
}

// emails can be long and keys are at most 255 characters
const key = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url');

/** A reservation taken before the expensive check; `keep` when it failed, `release` when it succeeded. */
export interface Attempt {
  release(): Promise<void>;
}

/**
 * Counts attempts in Postgres (every replica shares the counts) with rate-limiter-flexible. Each
 * attempt is reserved atomically *before* bcrypt runs, so concurrent guesses cannot all slip under
 * the limit; a correct password gives its reservation back.
 *
 * Sign-in is keyed three ways: every attempt per client address (LOGIN_LIMIT_PER_IP / 15 min);
 * failures per account and address (LOGIN_LIMIT_PER_ACCOUNT_AND_IP / 15 min), which shuts out
 * the guesser but not the owner elsewhere; and failures per account from anywhere over a short
 * window (LOGIN_LIMIT_PER_ACCOUNT / 30 s), which bounds a distributed burst while locking the
 * owner out for at most that window.
 */
export class AccountLimits {
  private readonly perIp: RateLimiterPostgres;
  private readonly perAccountAndIp: RateLimiterPostgres;
  private readonly perAccount: RateLimiterPostgres;
  private readonly passwordChange: RateLimiterPostgres;
  private readonly registrations: RateLimiterPostgres;

  constructor(db: Knex, limits: Config['rateLimit']) {
    const common = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false };
    const make = (keyPrefix: string, points: number, duration: number) => new RateLimiterPostgres({ ...common, keyPrefix, points, duration });
    this.perIp = make('login-ip', limits.loginPerIp, limits.windowSeconds);
    this.perAccountAndIp = make('login-account-ip', limits.loginPerAccountAndIp, limits.windowSeconds);
    this.perAccount = make('login-account', limits.loginPerAccount, limits.accountWindowSeconds);
    this.passwordChange = make('password-change', limits.passwordChangePerAccount, limits.windowSeconds);
    this.registrations = make('register-ip', limits.registerPerIp, 600);
  }

  /** Reserves a sign-in attempt for `account` from `ip`, or throws 429 with Retry-After. */
  async login(account: string, ip: string): Promise<Attempt> {
    const accountKey = key(account);
    const pairKey = key(account, ip);
    const ipKey = key(ip);
    const taken: Array<[RateLimiterPostgres, string]> = [];
    let current = this.perIp;
    try {
      for (const [limiter, k] of [[this.perIp, ipKey], [this.perAccountAndIp, pairKey], [this.perAccount, accountKey]] as const) {
        current = limiter;
        await limiter.consume(k);
        taken.push([limiter, k]);
      }
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // what a refused attempt reserved on the account keys is given back: only evaluated guesses count
      await Promise.all(taken.filter(([limiter]) => limiter !== this.perIp).map(([limiter, k]) => limiter.reward(k)));
      throw tooMany(err, 'sign-in attempts', current);
    }
    return {
      release: async () => {
        await this.perAccountAndIp.delete(pairKey);
        await this.perAccount.reward(accountKey);
      },
    };
  }

  /** Reserves a check of the current password on POST /me/password. */
  async passwordCheck(userId: string): Promise<Attempt> {
    try {
      await this.passwordChange.consume(key(userId));
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err, 'wrong current passwords', this.passwordChange);
      throw err;
    }
    return { release: () => this.passwordChange.reward(key(userId)).then(() => undefined) };
  }

  async registration(ip: string): Promise<void> {
    try {
      await this.registrations.consume(key(ip));
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err, 'registrations from this address', this.registrations);
      throw err;
    }
  }
}
