import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';

/** How long a replica believes what it last read about a session: revocations reach every replica within this. */
export const SESSION_CACHE_MS = 3000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether an access token's session (its refresh-token family) is still live: not signed out, not
 * ended by a password change, its user not deleted. Each replica keeps the answer for a few
 * seconds, so a busy session costs one query per replica every SESSION_CACHE_MS, not one per request.
 */
export class SessionRegistry {
  private readonly cache: LRUCache<string, boolean>;

  constructor(db: Knex, ttlMs = SESSION_CACHE_MS) {
    this.cache = new LRUCache<string, boolean>({
      max: 100_000,
      ttl: ttlMs,
      fetchMethod: async (key) => {
        const [userId, sessionId] = key.split(' ');
        const row = await db('refreshTokens as t')
          .join('users as u', 'u.id', 't.userId')
          .where({ 't.familyId': sessionId, 't.userId': userId })
          .whereNull('t.revokedAt')
          .where('t.expiresAt', '>', db.fn.now())
          .first<{ live: number } | undefined>(db.raw('1 as live'));
        return Boolean(row);
      },
    });
  }

  async isLive(userId: string, sessionId: string): Promise<boolean> {
    if (!UUID.test(userId) || !UUID.test(sessionId)) return false;
    return (await this.cache.fetch(`${userId} ${sessionId}`)) ?? false;
  }

  /** This replica forgets at once what it knew of a user's sessions (the others within the TTL). */
  forgetUser(userId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${userId} `)) this.cache.delete(key);
  }
}
