import type { Knex } from 'knex';

/**
 * Counts a product view or an add-to-cart on the product's day in its store's time zone: one row
 * per product per day, incremented in place (not a row per event).
 */
export async function countProductEvent(db: Knex, productId: string, event: 'views' | 'addsToCart'): Promise<void> {
  const column = event === 'views' ? 'views' : 'adds_to_cart';
  await db.raw(
    `insert into product_daily_stats (product_id, day, ${column})
     select p.id, cast(now() at time zone s.timezone as date), 1 from products p join stores s on s.id = p.store_id where p.id = ?
     on conflict (product_id, day) do update set ${column} = product_daily_stats.${column} + 1`,
    [productId],
  );
}
