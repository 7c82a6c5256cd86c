import type { Knex } from 'knex';
import { stockStatusSql } from '../inventory/index.ts';
import { enqueue } from '../outbox/index.ts';

export interface WeekFigures {
  revenue: number;
  orders: number;
  units: number;
}

export interface WeeklyReport {
  /** First and last day covered, in the store's zone. */
  from: string;
  to: string;
  current: WeekFigures;
  previous: WeekFigures;
  change: Record<keyof WeekFigures, string>;
  topProducts: Array<{ title: string; units: number; revenue: number }>;
  lowStock: Array<{ title: string; sku: string; options: Record<string, string>; stock: number }>;
}

function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? '0%' : '—';
  const pct = Math.round(((now - before) / before) * 100);
  return `${pct > 0 ? '+' : ''}${pct}%`;
}

// Local midnights are cast to `timestamp` before AT TIME ZONE: a bare date would be read as a UTC
// timestamptz and shifted the wrong way.

/**
 * The 7 days before `weekStart` (a Monday, store time) against the 7 days before those. Revenue is
 * the goods' value of orders placed and not cancelled, as in the analytics.
 */
export async function weeklyReport(db: Knex, storeId: string, weekStart: string): Promise<WeeklyReport> {
  const figures = async (fromOffset: number, toOffset: number): Promise<WeekFigures> => {
    const { rows: [r] } = await db.raw<{ rows: Array<{ revenue: number; orders: number; units: number }> }>(
      `select coalesce(sum(o.subtotal), 0) as revenue, count(*) as orders,
         coalesce(sum((select sum(i.quantity) from order_items i where i.order_id = o.id)), 0) as units
       from orders o join stores s on s.id = o.store_id
       where o.store_id = ? and o.status <> 'cancelled'
         and o.placed_at >= (cast(cast(? as date) - cast(? as int) as timestamp) at time zone s.timezone)
         and o.placed_at < (cast(cast(? as date) - cast(? as int) as timestamp) at time zone s.timezone)`,
      [storeId, weekStart, fromOffset, weekStart, toOffset],
    );
    return { revenue: Number(r.revenue), orders: Number(r.orders), units: Number(r.units) };
  };
  const [current, previous] = await Promise.all([figures(7, 0), figures(14, 7)]);
  const { rows: top } = await db.raw<{ rows: Array<{ title: string; units: number; revenue: number }> }>(
    `select max(i.title) as title, sum(i.quantity) as units, sum(i.line_total) as revenue
     from orders o join order_items i on i.order_id = o.id join stores s on s.id = o.store_id
     where o.store_id = ? and o.status <> 'cancelled'
       and o.placed_at >= (cast(cast(? as date) - 7 as timestamp) at time zone s.timezone)
       and o.placed_at < (cast(cast(? as date) as timestamp) at time zone s.timezone)
     group by i.product_id order by revenue desc, units desc limit 5`,
    [storeId, weekStart, weekStart],
  );
  const lowStock = await db('productVariants as v')
    .join('products as p', 'p.id', 'v.productId')
    .where('v.storeId', storeId)
    .whereNull('v.archivedAt')
    .whereNot('p.status', 'archived')
    .whereRaw(stockStatusSql('low'))
    .orderBy('v.stock')
    .orderBy('p.title')
    .limit(10)
    .select<WeeklyReport['lowStock']>('p.title', 'v.sku', 'v.options', 'v.stock');
  const day = (offset: number) => new Date(Date.parse(`${weekStart}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  return {
    from: day(-7),
    to: day(-1),
    current,
    previous,
    change: { revenue: change(current.revenue, previous.revenue), orders: change(current.orders, previous.orders), units: change(current.units, previous.units) },
    topProducts: top.map((t) => ({ title: t.title, units: Number(t.units), revenue: Number(t.revenue) })),
    lowStock,
  };
}

/**
 * Claims and queues the weekly report of every store whose local time is Monday 09:00 or later
 * and that sold something in the 7 days before; each store and week at most once (weekly_reports).
 * Runs hourly, so every time zone gets its report at 09:00 its own time.
 */
export async function queueDueWeeklyReports(db: Knex, now = new Date()): Promise<number> {
  const at = now.toISOString();
  return db.transaction(async (trx) => {
    // the claim and the queued report commit together: a week is claimed exactly when its report is queued
    const { rows: claimed } = await trx.raw<{ rows: Array<{ store_id: string; week_start: string }> }>(
      `with due as (
         select s.id as store_id, cast(cast(? as timestamptz) at time zone s.timezone as date) as week_start
         from stores s
         where extract(isodow from cast(? as timestamptz) at time zone s.timezone) = 1
           and extract(hour from cast(? as timestamptz) at time zone s.timezone) >= 9
           and exists (select 1 from orders o where o.store_id = s.id and o.status <> 'cancelled'
             and o.placed_at >= ((date_trunc('day', cast(? as timestamptz) at time zone s.timezone) - interval '7 days') at time zone s.timezone)
             and o.placed_at < (date_trunc('day', cast(? as timestamptz) at time zone s.timezone) at time zone s.timezone))
       )
       insert into weekly_reports (store_id, week_start) select store_id, week_start from due
       on conflict do nothing
       returning store_id, to_char(week_start, 'YYYY-MM-DD') as week_start`,
      [at, at, at, at, at],
    );
    await enqueue(trx, 'report.weekly', claimed.map((c) => ({ storeId: c.store_id, weekStart: c.week_start })));
    return claimed.length;
  });
}
