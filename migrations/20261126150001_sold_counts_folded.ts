import type { Knex } from 'knex';
import * as previous from './20261126140001_checkout_in_fewer_statements.ts';

/**
 * A product's sold count is no longer written by every sale. Writing it in the checkout's
 * transaction locked the product row until commit (so every variant of a product waited for every
 * other's sale), and the update was never HOT (`products_active_sold_id` indexes the count), so each
 * sale added entries to every index of products, the full-text and trigram ones included, and woke
 * every replica's catalog cache. About 1 ms of Postgres CPU of the 6 a checkout cost.
 *
 * Now the sales rollups' triggers append the change to `product_sold_changes` (insert only: no
 * lock, no index), and `pasar_fold_sold_counts()` (a job, every 10 seconds) takes the appended rows
 * and adds them to the products in one statement, products locked in id order, never below zero,
 * with a `catalog.product-changed` event for each product it moved (so a search engine's copy
 * follows). A row appended by a transaction that commits during a fold is left for the next one.
 * `pasar_rebuild_sales_rollups()` recomputes the counts and empties the table.
 */
const DATED = `d as (select c.*, cast(c.placed_at at time zone s.timezone as date) as day from c join stores s on s.id = c.store_id)`;

/** Adds the contribution of `changes` (sign, id, store_id, status, subtotal, placed_at) with their items to every rollup, and appends their units to the sold-count changes. */
function apply(changes: string): string {
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

    with c as (${changes})
    insert into product_sold_changes (product_id, units)
    select i.product_id, sum(c.sign * i.quantity) from c join order_items i on i.order_id = c.id
    where c.status <> 'cancelled' group by 1 having sum(c.sign * i.quantity) <> 0;

    with c as (${changes})
    insert into store_order_statuses as r (store_id, status, orders)
    select store_id, status, sum(sign) from c group by 1, 2 order by 1, 2
    on conflict (store_id, status) do update set orders = r.orders + excluded.orders;`;
}

const CHANGED = `(o.status, o.placed_at, o.subtotal, o.store_id) is distinct from (n.status, n.placed_at, n.subtotal, n.store_id)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table product_sold_changes (product_id uuid not null, units integer not null)`);
  await knex.raw(`
    create function pasar_fold_sold_counts() returns integer language sql as $$
      with taken as (delete from product_sold_changes returning product_id, units),
        x as (select product_id, sum(units) as units from taken group by 1 having sum(units) <> 0),
        locked as (select p.id from products p join x on x.product_id = p.id order by p.id for no key update of p),
        moved as (update products p set sold_count = greatest(p.sold_count + x.units, 0)
                  from x join locked l on l.id = x.product_id where p.id = x.product_id returning p.id),
        events as (insert into outbox (topic, payload) select 'catalog.product-changed', jsonb_build_object('productId', id) from moved)
      select cast(count(*) as integer) from moved
    $$`);

  // as in 20261126140001, with the sold counts appended instead of written
  await knex.raw(`
    create or replace function pasar_rollup_orders() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        with c as (select id, store_id, status, subtotal, placed_at from new_rows), ${DATED},
          a as (select store_id, day, count(*) as placed, count(*) filter (where status <> 'cancelled') as orders,
                  coalesce(sum(subtotal) filter (where status <> 'cancelled'), 0) as revenue from d group by 1, 2)
        insert into store_daily_sales as r (store_id, day, orders_placed, orders, revenue, units)
        select store_id, day, placed, orders, revenue, 0 from a order by 1, 2
        on conflict (store_id, day) do update set orders_placed = r.orders_placed + excluded.orders_placed,
          orders = r.orders + excluded.orders, revenue = r.revenue + excluded.revenue;

        insert into store_order_statuses as r (store_id, status, orders)
        select store_id, status, count(*) from new_rows group by 1, 2 order by 1, 2
        on conflict (store_id, status) do update set orders = r.orders + excluded.orders;
      else
        ${apply(`select -1 as sign, o.id, o.store_id, o.status, o.subtotal, o.placed_at from old_rows o join new_rows n on n.id = o.id where ${CHANGED}
                 union all
                 select 1, n.id, n.store_id, n.status, n.subtotal, n.placed_at from old_rows o join new_rows n on n.id = o.id where ${CHANGED}`)}
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

      insert into product_sold_changes (product_id, units)
      select n.product_id, sum(n.quantity) from new_rows n join orders o on o.id = n.order_id
      where o.status <> 'cancelled' group by 1;
      return null;
    end $$`);

  await knex.raw(`create or replace function pasar_rebuild_sales_rollups() returns void language plpgsql as $$
    begin
      lock table orders, order_items, product_sold_changes in share mode;
      delete from store_daily_sales;
      delete from product_daily_sales;
      delete from store_order_statuses;
      delete from product_sold_changes;
      update products set sold_count = 0 where sold_count <> 0;
      ${apply(`select 1 as sign, id, store_id, status, subtotal, placed_at from orders`)}
      perform pasar_fold_sold_counts();
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  // nothing appended is lost: it is folded into the counts before the counts go back to being written by every sale
  await knex.raw('select pasar_fold_sold_counts()');
  await knex.raw('drop function pasar_fold_sold_counts()');
  await knex.raw('drop table product_sold_changes');
  // the functions exactly as 20261126140001 left them
  await previous.down(knex);
  await previous.up(knex);
}
