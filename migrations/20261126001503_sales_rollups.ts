import type { Knex } from 'knex';

/**
 * Seller analytics read daily rollups per store and per product instead of every order: kept by
 * statement triggers in the same transaction as the orders and items that change them (placing,
 * cancelling, moving), so they can never disagree with a committed order. Days are the store's
 * local days. Rows are upserted in key order so concurrent checkouts cannot deadlock on them.
 * Orders are never deleted (foreign keys restrict it) and items never change after checkout;
 * `npm run rebuild-rollups` recomputes everything from the orders (e.g. after a store changes
 * its time zone).
 */

/** Adds the contribution of `changes` (sign, id, store_id, status, subtotal, placed_at) to every rollup. */
function apply(changes: string): string {
  const dated = `c as (${changes}),
    d as (select c.*, cast(c.placed_at at time zone s.timezone as date) as day from c join stores s on s.id = c.store_id)`;
  return `
    with ${dated},
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

    with ${dated}
    insert into product_daily_sales as r (store_id, day, product_id, units, revenue, title)
    select d.store_id, d.day, i.product_id, sum(d.sign * i.quantity), sum(d.sign * i.line_total), max(i.title)
    from d join order_items i on i.order_id = d.id where d.status <> 'cancelled'
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (store_id, day, product_id) do update set units = r.units + excluded.units,
      revenue = r.revenue + excluded.revenue, title = greatest(r.title, excluded.title);

    with c as (${changes})
    insert into store_order_statuses as r (store_id, status, orders)
    select store_id, status, sum(sign) from c group by 1, 2 order by 1, 2
    on conflict (store_id, status) do update set orders = r.orders + excluded.orders;`;
}

const CHANGED = `(o.status, o.placed_at, o.subtotal, o.store_id) is distinct from (n.status, n.placed_at, n.subtotal, n.store_id)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table store_daily_sales (
      store_id uuid not null references stores(id) on delete cascade,
      day date not null,
      orders_placed integer not null default 0,
      orders integer not null default 0,
      revenue bigint not null default 0,
      units integer not null default 0,
      primary key (store_id, day)
    )`);
  await knex.raw(`
    create table product_daily_sales (
      store_id uuid not null references stores(id) on delete cascade,
      day date not null,
      product_id uuid not null references products(id) on delete cascade,
      units integer not null default 0,
      revenue bigint not null default 0,
      title text not null,
      primary key (store_id, day, product_id)
    )`);
  await knex.raw(`
    create table store_order_statuses (
      store_id uuid not null references stores(id) on delete cascade,
      status text not null,
      orders integer not null default 0,
      primary key (store_id, status)
    )`);

  await knex.raw(`
    create function pasar_rollup_orders() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        ${apply(`select 1 as sign, id, store_id, status, subtotal, placed_at from new_rows`)}
      else
        ${apply(`select -1 as sign, o.id, o.store_id, o.status, o.subtotal, o.placed_at from old_rows o join new_rows n on n.id = o.id where ${CHANGED}
                 union all
                 select 1, n.id, n.store_id, n.status, n.subtotal, n.placed_at from old_rows o join new_rows n on n.id = o.id where ${CHANGED}`)}
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger orders_rollup_insert after insert on orders referencing new table as new_rows
    for each statement execute function pasar_rollup_orders()`);
  await knex.raw(`create trigger orders_rollup_update after update on orders referencing old table as old_rows new table as new_rows
    for each statement execute function pasar_rollup_orders()`);

  // items arrive after their order: they add units and product sales of orders not cancelled
  await knex.raw(`
    create function pasar_rollup_order_items() returns trigger language plpgsql as $$
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
      return null;
    end $$`);
  await knex.raw(`create trigger order_items_rollup_insert after insert on order_items referencing new table as new_rows
    for each statement execute function pasar_rollup_order_items()`);

  await knex.raw(`create function pasar_rebuild_sales_rollups() returns void language plpgsql as $$
    begin
      lock table orders, order_items in share mode;
      delete from store_daily_sales;
      delete from product_daily_sales;
      delete from store_order_statuses;
      ${apply(`select 1 as sign, id, store_id, status, subtotal, placed_at from orders`)}
    end $$`);
  await knex.raw('select pasar_rebuild_sales_rollups()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists order_items_rollup_insert on order_items');
  await knex.raw('drop trigger if exists orders_rollup_update on orders');
  await knex.raw('drop trigger if exists orders_rollup_insert on orders');
  await knex.raw('drop function if exists pasar_rebuild_sales_rollups()');
  await knex.raw('drop function if exists pasar_rollup_order_items()');
  await knex.raw('drop function if exists pasar_rollup_orders()');
  await knex.raw('drop table if exists store_order_statuses');
  await knex.raw('drop table if exists product_daily_sales');
  await knex.raw('drop table if exists store_daily_sales');
}
