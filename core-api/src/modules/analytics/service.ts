import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { invalid } from '../../domain/errors.ts';
import { sellerStore } from '../accounts/index.ts';
import { stockStatusSql } from '../inventory/index.ts';

type Analytics = components['schemas']['SellerAnalytics'];
export type Granularity = 'day' | 'week' | 'month';

const STATUSES = ['pending', 'processing', 'shipped', 'delivered', 'cancelled'] as const;

/** Raw rows (snake_case); bigint and numeric arrive as numbers (platform/db/knex.ts). */
interface SalesBucket {
  start: string;
  revenue: number;
  orders: number;
  units: number;
}
interface TopProduct {
  product_id: string;
  title: string;
  units: number;
  revenue: number;
}
interface Summary {
  revenue_today: number;
  revenue7d: number;
  revenue30d: number;
  by_status: Partial<Record<(typeof STATUSES)[number], number>>;
  low_stock: number;
  out_of_stock: number;
}
interface Funnel {
  views: number;
  adds: number;
  orders: number;
}
type Rows<T> = { rows: T[] };
const MAX_DAYS = 731;

/**
 * Every figure is computed in SQL, in the store's time zone, from the daily rollups the order
 * triggers keep (store_daily_sales, product_daily_sales, store_order_statuses) and the daily counters.
 */
export class AnalyticsService {
  private readonly db: Knex;

  constructor(db: Knex) {
    this.db = db;
  }

  async forSeller(caller: AuthUser, query: { from?: string; to?: string; granularity?: Granularity }, now = new Date()): Promise<Analytics> {
    const store = await sellerStore(this.db, caller);
    const { rows: [today] } = await this.db.raw<Rows<{ day: string }>>(`select to_char(cast(? as timestamptz) at time zone ?, 'YYYY-MM-DD') as day`, [now.toISOString(), store.timezone]);
    const to = query.to ?? today.day;
    const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0) throw invalid('`from` must not be after `to`.', [{ parameter: 'from', message: 'is after to' }]);
    if (days > MAX_DAYS) throw invalid(`The period is at most ${MAX_DAYS} days.`, [{ parameter: 'from', message: 'is too far before to' }]);
    const granularity = query.granularity ?? 'day';
    const tz = store.timezone;

    const [series, top, summary, funnel] = await Promise.all([
      this.db.raw<Rows<SalesBucket>>(
        `with buckets as (
           select cast(b as date) as start
           from generate_series(date_trunc(?, cast(? as timestamp)), date_trunc(?, cast(? as timestamp)), cast(? as interval)) b),
         sales as (
           select cast(date_trunc(?, cast(day as timestamp)) as date) as start, sum(revenue) as revenue, sum(orders) as orders, sum(units) as units
           from store_daily_sales where store_id = ? and day between cast(? as date) and cast(? as date) group by 1)
         select to_char(b.start, 'YYYY-MM-DD') as start, coalesce(s.revenue, 0) as revenue, coalesce(s.orders, 0) as orders, coalesce(s.units, 0) as units
         from buckets b left join sales s on s.start = b.start order by b.start`,
        [granularity, from, granularity, to, `1 ${granularity}`, granularity, store.id, from, to],
      ),
      this.db.raw<Rows<TopProduct>>(
        `select product_id, max(title) as title, sum(units) as units, sum(revenue) as revenue
         from product_daily_sales where store_id = ? and day between cast(? as date) and cast(? as date)
         group by product_id having sum(units) > 0 order by revenue desc, units desc, product_id limit 5`,
        [store.id, from, to],
      ),
      this.db.raw<Rows<Summary>>(
        `with local_today as (select cast(cast(? as timestamptz) at time zone ? as date) as d)
         select
           (select coalesce(sum(revenue), 0) from store_daily_sales where store_id = ? and day >= (select d from local_today)) as revenue_today,
           (select coalesce(sum(revenue), 0) from store_daily_sales where store_id = ? and day >= (select d from local_today) - 6) as revenue7d,
           (select coalesce(sum(revenue), 0) from store_daily_sales where store_id = ? and day >= (select d from local_today) - 29) as revenue30d,
           (select coalesce(json_object_agg(status, orders), '{}') from store_order_statuses where store_id = ?) as by_status,
           (select count(*) from product_variants v join products p on p.id = v.product_id
              where v.store_id = ? and v.archived_at is null and p.status <> 'archived' and ${stockStatusSql('low')}) as low_stock,
           (select count(*) from product_variants v join products p on p.id = v.product_id
              where v.store_id = ? and v.archived_at is null and ${stockStatusSql('out')}) as out_of_stock`,
        [now.toISOString(), tz, store.id, store.id, store.id, store.id, store.id, store.id],
      ),
      this.db.raw<Rows<Funnel>>(
        `select
           (select coalesce(sum(d.views), 0) from product_daily_stats d join products p on p.id = d.product_id
              where p.store_id = ? and d.day between cast(? as date) and cast(? as date)) as views,
           (select coalesce(sum(d.adds_to_cart), 0) from product_daily_stats d join products p on p.id = d.product_id
              where p.store_id = ? and d.day between cast(? as date) and cast(? as date)) as adds,
           (select coalesce(sum(orders_placed), 0) from store_daily_sales where store_id = ? and day between cast(? as date) and cast(? as date)) as orders`,
        [store.id, from, to, store.id, from, to, store.id, from, to],
      ),
    ]);

    const s = summary.rows[0];
    const f = funnel.rows[0];
    return {
      summary: {
        revenueToday: Number(s.revenue_today),
        revenue7d: Number(s.revenue7d),
        revenue30d: Number(s.revenue30d),
        ordersByStatus: Object.fromEntries(STATUSES.map((st) => [st, Number(s.by_status[st] ?? 0)])) as Analytics['summary']['ordersByStatus'],
        lowStockCount: Number(s.low_stock),
        outOfStockCount: Number(s.out_of_stock),
      },
      series: series.rows.map((r) => ({ start: r.start, revenue: Number(r.revenue), orders: Number(r.orders), units: Number(r.units) })),
      topProducts: top.rows.map((r) => ({ productId: r.product_id, title: r.title, units: Number(r.units), revenue: Number(r.revenue) })),
      funnel: { productViews: Number(f.views), addsToCart: Number(f.adds), orders: Number(f.orders) },
    };
  }
}

/** Recomputes the sales rollups and products' sold counts from the orders (`npm run rebuild-rollups`). */
export async function rebuildSalesRollups(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('select pasar_rebuild_sales_rollups()');
  });
}
