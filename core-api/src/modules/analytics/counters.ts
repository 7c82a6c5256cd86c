import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export type ProductEvent = 'views' | 'addsToCart';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many distinct (event, product, visitor) entries wait before a flush is started early. */
const FLUSH_AT = 2000;
/** Who was counted is kept this many days back (a flush writes at most one day late). */
const KEEP_VISITOR_DAYS = 2;

/** A visitor's key: the account when signed in, else a hash of the client address and browser. */
export function visitorKey(input: { userId?: string; ip: string; userAgent: string }): string {
  if (input.userId) return `u:${input.userId}`;
  return 'a:' + createHash('sha256').update(`${input.ip}\n${input.userAgent}`).digest('base64url').slice(0, 22);
}

/**
 * Product views and adds to cart, counted once per visitor per product per day (in the store's time
 * zone) and buffered in memory: a flush writes the batch in one statement, which records who was
 * counted (so replicas and restarts do not count anyone twice) and adds only the new ones to the
 * daily counters. Flushed every `flushMs`, when the buffer fills, and on stop (nothing is lost on a
 * graceful stop; a crash loses at most one interval of counts).
 */
export class ProductCounters {
  private readonly db: Knex;
  private buffer = new Map<string, { productId: string; event: ProductEvent; visitor: string; at: string }>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private lastPurge = 0;

  constructor(db: Knex, flushMs: number) {
    this.db = db;
    this.timer = setInterval(() => void this.flush().catch(() => {}), Math.max(10, flushMs));
    this.timer.unref();
  }

  count(productId: string, event: ProductEvent, visitor: string): void {
    // one malformed id would fail the whole batch's statement
    if (!UUID.test(productId)) return;
    const key = `${event}|${productId}|${visitor}`;
    if (this.buffer.has(key)) return;
    this.buffer.set(key, { productId, event, visitor, at: new Date().toISOString() });
    if (this.buffer.size >= FLUSH_AT) void this.flush().catch(() => {});
  }

  /** Writes what is buffered; flushes run one after another. A failed batch is kept for the next. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => {}).then(async () => {
      if (this.buffer.size === 0) return;
      const batch = this.buffer;
      this.buffer = new Map();
      try {
        await this.write([...batch.values()]);
      } catch (err) {
        for (const [key, entry] of batch) if (!this.buffer.has(key)) this.buffer.set(key, entry);
        throw err;
      }
    });
    return this.flushing;
  }

  private async write(entries: Array<{ productId: string; event: ProductEvent; visitor: string; at: string }>): Promise<void> {
    await this.db.raw(
      `with incoming as (
         select * from json_to_recordset(cast(? as json)) as x(product_id uuid, event text, visitor text, at timestamptz)
       ), fresh as (
         insert into product_daily_visitors (product_id, day, event, visitor)
         select i.product_id, cast(i.at at time zone s.timezone as date), i.event, i.visitor
         from incoming i join products p on p.id = i.product_id join stores s on s.id = p.store_id
         on conflict do nothing
         returning product_id, day, event
       )
       insert into product_daily_stats (product_id, day, views, adds_to_cart)
       select product_id, day, count(*) filter (where event = 'views'), count(*) filter (where event = 'addsToCart')
       from fresh group by product_id, day
       on conflict (product_id, day) do update
         set views = product_daily_stats.views + excluded.views, adds_to_cart = product_daily_stats.adds_to_cart + excluded.adds_to_cart`,
      [JSON.stringify(entries.map((e) => ({ product_id: e.productId, event: e.event, visitor: e.visitor, at: e.at })))],
    );
    if (Date.now() - this.lastPurge > 3_600_000) {
      this.lastPurge = Date.now();
      await this.db('productDailyVisitors').where('day', '<', this.db.raw(`current_date - ${KEEP_VISITOR_DAYS}`)).delete();
    }
  }

  /** Stops the timer and writes the rest. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
