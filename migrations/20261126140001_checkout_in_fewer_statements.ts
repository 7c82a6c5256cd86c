import type { Knex } from 'knex';

/**
 * A checkout places its orders and their items in one statement, so:
 * - Order numbers are made in the database (`pasar_order_number`), from the sequence, in the
 *   statement that inserts the orders: PSR-20261124-7F3K9Q, the day in Jakarta, then six
 *   unambiguous characters from the sequence's next value scrambled (n * 387420489 mod 2^30, a
 *   bijection), so numbers do not reveal a store's volume.
 * - An order's units are counted once, when its items arrive: the orders' insert trigger no longer
 *   looks for items (an order and its items in one statement would count them twice).
 * - A product's sold count is a rollup like the others: the items' trigger adds their units, an
 *   order that is cancelled (or un-cancelled) takes them off (or back), in the same transaction,
 *   products locked in id order. It never goes below zero. `pasar_rebuild_sales_rollups()`
 *   recomputes it from the orders with the rest.
 */
const DATED = `d as (select c.*, cast(c.placed_at at time zone s.timezone as date) as day from c join stores s on s.id = c.store_id)`;

/** Adds the contribution of `changes` (sign, id, store_id, status, subtotal, placed_at) with their items to every rollup (and the sold counts, unless `sold` is false: as before this migration). */
function apply(changes: string, sold = true): string {
  return `
    with c as (${changes}), ${DATED},
      u as (select d.store_id, d.day, sum(d.sign * i.quantity) as units from d join order_items i on i.order_id = d.id
            where d.status <> 'cancelled' group by 1, 2),
      a as (select store_id, day, sum(sign) as placed, coalesce(sum(sign) filter (where status <> 'cancelled'), 0) as orders,
              coalesce(sum(sign * subtotal) filter (where status <> 'cancelled'), 0) as revenue from d group by 1, 2)
    insert into store_daily_sales as r (store_id, day, orders_placed, orders, revenue, units)
    select k.store_id, k.day, coalesce(a.placed, 0), coalesce(a.orders, 0), coalesce(a.revenue, 0), coalesce(u.units, 0)
    from (select store_id, day from a union select store_id, day from u) k
      left join a on a.store_id = k.store_id and a.day = k.day left join u on u.store_id = k.store_id and u.day = k.day
    order by k.store_id, k.day
    on conflict (store_id, day) do update set orders_placed = r.orders_placed + excluded.orders_placed,
      orders = r.orders + excluded.orders, revenue = r.revenue + excluded.revenue, units = r.units + excluded.units;

    with c as (${changes}), ${DATED}
    insert into product_daily_sales as r (store_id, day, product_id, units, revenue, title)
    select d.store_id, d.day, i.product_id, sum(d.sign * i.quantity), sum(d.sign * i.line_total), max(i.title)
    from d join order_items i on i.order_id = d.id where d.status <> 'cancelled'
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (store_id, day, product_id) do update set units = r.units + excluded.units,
      revenue = r.revenue + excluded.revenue, title = greatest(r.title, excluded.title);

    ${sold ? `with c as (${changes}),
      x as (select i.product_id, sum(c.sign * i.quantity) as units from c join order_items i on i.order_id = c.id
            where c.status <> 'cancelled' group by 1 having sum(c.sign * i.quantity) <> 0)
    ${SOLD}` : ''}

    with c as (${changes})
    insert into store_order_statuses as r (store_id, status, orders)
    select store_id, status, sum(sign) from c group by 1, 2 order by 1, 2
    on conflict (store_id, status) do update set orders = r.orders + excluded.orders;`;
}

/** Moves sold counts by `x` (product_id, units), locking the products in id order. Ends the statement its caller began with `x`. */
const SOLD = `,
      locked as (select p.id from products p join x on x.product_id = p.id order by p.id for update of p)
    update products p set sold_count = greatest(p.sold_count + x.units, 0)
    from x join locked l on l.id = x.product_id where p.id = x.product_id;`;

/** An order placed: counted as placed, by status and by revenue; its units come with its items. */
const PLACED = `
    with c as (select id, store_id, status, subtotal, placed_at from new_rows), ${DATED},
      a as (select store_id, day, count(*) as placed, count(*) filter (where status <> 'cancelled') as orders,
              coalesce(sum(subtotal) filter (where status <> 'cancelled'), 0) as revenue from d group by 1, 2)
    insert into store_daily_sales as r (store_id, day, orders_placed, orders, revenue, units)
    select store_id, day, placed, orders, revenue, 0 from a order by 1, 2
    on conflict (store_id, day) do update set orders_placed = r.orders_placed + excluded.orders_placed,
      orders = r.orders + excluded.orders, revenue = r.revenue + excluded.revenue;

    insert into store_order_statuses as r (store_id, status, orders)
    select store_id, status, count(*) from new_rows group by 1, 2 order by 1, 2
    on conflict (store_id, status) do update set orders = r.orders + excluded.orders;`;

const CHANGED = `(o.status, o.placed_at, o.subtotal, o.store_id) is distinct from (n.status, n.placed_at, n.subtotal, n.store_id)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function pasar_order_number(seq bigint, placed timestamptz) returns text language sql stable strict as $$
      select 'PSR-' || to_char(placed at time zone 'Asia/Jakarta', 'YYYYMMDD') || '-' || string_agg(
        substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', cast((((seq % 1073741824) * 387420489 % 1073741824) >> (5 * k)) & 31 as int) + 1, 1), '' order by k desc)
      from generate_series(0, 5) k
    $$`);

  await replaceFunctions(knex, true);
}

/** The rollup functions with the sold counts and units as this migration counts them, or (`sold` false) as they were before it. */
async function replaceFunctions(knex: Knex, sold: boolean): Promise<void> {
  await knex.raw(`
    create or replace function pasar_rollup_orders() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        ${sold ? PLACED : apply(`select 1 as sign, id, store_id, status, subtotal, placed_at from new_rows`, false)}
      else
        ${apply(`select -1 as sign, o.id, o.store_id, o.status, o.subtotal, o.placed_at from old_rows o join new_rows n on n.id = o.id where ${CHANGED}
                 union all
                 select 1, n.id, n.store_id, n.status, n.subtotal, n.placed_at from old_rows o join new_rows n on n.id = o.id where ${CHANGED}`, sold)}
      end if;
      return null;
    end $$`);

  await knex.raw(`
    create or replace function pasar_rollup_order_items() returns trigger language plpgsql as $$
    begin
      with d as (
        select o.store_id, cast(o.placed_at at time zone s.timezone as date) as day, n.product_id, n.title, n.quantity, n.line_total
        from new_rows n join orders o on o.id = n.order_id join stores s on s.id = o.store_id where o.status <> 'cancelled')
      insert into store_daily_sales as r (store_id, day, units)
      select store_id, day, sum(quantity) from d group by 1, 2 order by 1, 2
      on conflict (store_id, day) do update set units = r.units + excluded.units;

      with d as (
        select o.store_id, cast(o.placed_at at time zone s.timezone as date) as day, n.product_id, n.title, n.quantity, n.line_total
        from new_rows n join orders o on o.id = n.order_id join stores s on s.id = o.store_id where o.status <> 'cancelled')
      insert into product_daily_sales as r (store_id, day, product_id, units, revenue, title)
      select store_id, day, product_id, sum(quantity), sum(line_total), max(title) from d group by 1, 2, 3 order by 1, 2, 3
      on conflict (store_id, day, product_id) do update set units = r.units + excluded.units,
        revenue = r.revenue + excluded.revenue, title = greatest(r.title, excluded.title);

      ${sold ? `with x as (select n.product_id, sum(n.quantity) as units from new_rows n join orders o on o.id = n.order_id
                 where o.status <> 'cancelled' group by 1)
      ${SOLD}` : ''}
      return null;
    end $$`);

  await knex.raw(`create or replace function pasar_rebuild_sales_rollups() returns void language plpgsql as $$
    begin
      lock table orders, order_items in share mode;
      delete from store_daily_sales;
      delete from product_daily_sales;
      delete from store_order_statuses;
      ${sold ? 'update products set sold_count = 0 where sold_count <> 0;' : ''}
      ${apply(`select 1 as sign, id, store_id, status, subtotal, placed_at from orders`, sold)}
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  await replaceFunctions(knex, false);
  await knex.raw('drop function if exists pasar_order_number(bigint, timestamptz)');
}
