import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { PostgresListener } from '../../platform/db/listener.ts';

/** A public catalog answer as sent: the JSON bytes and the weak ETag of exactly those bytes. */
export interface CachedAnswer {
  json: Buffer;
  etag: string;
  /** The answer's own `id`, when it has one (a product named by its slug still counts by id). */
  id?: string;
}

/** The weak ETag the router gives any JSON answer, so cached and fresh answers carry the same one. */
export function jsonEtag(json: Buffer): string {
  return `W/"${createHash('sha1').update(json).digest('base64url')}"`;
}

/**
 * Public catalog answers kept in memory, bounded by their bytes. Every replica listens to the
 * `pasar_catalog` channel (announced by triggers on every catalog table, after commit) and drops
 * everything on a change, except on a change of stock alone (`stock <product ids>`, as sales make):
 * then only the answers of those products go. While the listening connection is down nothing is
 * kept. An answer read while a change landed is not kept (a generation number), so a stale answer
 * never outlives a change.
 */
export class CatalogCache {
  private readonly entries: LRUCache<string, CachedAnswer>;
  /** The keys of the answers of each id (a product's page by id, by slug, in each language). */
  private readonly keysOf = new Map<string, Set<string>>();
  private readonly listener: PostgresListener;
  private readonly pending = new Map<string, Promise<CachedAnswer>>();
  private readonly enabled: boolean;
  private generation = 0;
  /** Nothing is kept until the LISTEN is in place. */
  private listening = false;
  hits = 0;
  misses = 0;

  constructor(listener: PostgresListener, maxBytes: number) {
    this.listener = listener;
    this.entries = new LRUCache({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (a, key) => a.json.length + key.length + 100,
      dispose: (a, key) => {
        const keys = a.id === undefined ? undefined : this.keysOf.get(a.id);
        keys?.delete(key);
        if (keys?.size === 0) this.keysOf.delete(a.id!);
      },
    });
    this.enabled = maxBytes > 0;
  }

  /** Forgets every answer, and any read in progress will not be kept. */
  drop(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Forgets the answers of these ids (products whose stock changed); any read in progress will not be kept. */
  dropAnswersOf(ids: string[]): void {
    this.generation++;
    for (const id of ids) for (const key of this.keysOf.get(id) ?? []) this.entries.delete(key);
  }

  async start(): Promise<void> {
    const drop = () => this.drop();
    const changed = (payload: string) => (payload.startsWith('stock ') ? this.dropAnswersOf(payload.slice(6).split(',')) : this.drop());
    await this.listener.listen('pasar_catalog', changed, drop);
    this.listening = true;
  }

  /** The cached answer for `key`, or `read()`'s, kept when nothing changed meanwhile. Concurrent misses share one read. */
  async get(key: string, read: () => Promise<unknown>): Promise<CachedAnswer> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const generation = this.generation;
    const pendingKey = `${generation}|${key}`;
    const shared = this.pending.get(pendingKey);
    if (shared) return shared;
    const answer = (async () => {
      const value = await read();
      const json = Buffer.from(JSON.stringify(value));
      const id = (value as { id?: unknown } | null)?.id;
      const fresh = { json, etag: jsonEtag(json), ...(typeof id === 'string' ? { id } : {}) };
      if (this.enabled && this.listening && this.listener.connected && generation === this.generation) {
        this.entries.set(key, fresh);
        if (fresh.id !== undefined && this.entries.has(key)) this.keysOf.set(fresh.id, (this.keysOf.get(fresh.id) ?? new Set()).add(key));
      }
      return fresh;
    })();
    this.pending.set(pendingKey, answer);
    try {
      return await answer;
    } finally {
      this.pending.delete(pendingKey);
    }
  }
}

/**
 * Requests that change nothing the public catalog shows, or only stock (checkouts, payments,
 * shoppers' cancellations), which every replica hears of from the change event within moments.
 */
const NOT_CATALOG_WRITES = /^\/(cart|auth|me|checkout|payments|orders)(\/|$)/;

/**
 * Read-your-writes on this replica: a successful write drops the cache at once, not a moment later
 * when the change event arrives (other replicas still learn it from the event).
 */
export function dropCacheAfterWrites(cache: CatalogCache) {
  return async (ctx: { method: string; path: string; status: number }, next: () => Promise<unknown>) => {
    await next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.status < 400 && !NOT_CATALOG_WRITES.test(ctx.path)) cache.drop();
  };
}
