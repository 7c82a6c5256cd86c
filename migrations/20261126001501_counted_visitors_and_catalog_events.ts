import type { Knex } from 'knex';

/**
 * Counters count a visitor once per product per day: who was already counted is kept (a hash, not
 * the address) for the days a flush may still write, then purged. Every change to what the public
 * catalog shows is announced on `pasar_catalog` (after commit, once per statement), so every
 * replica drops its cached catalog answers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table product_daily_visitors (
      product_id uuid not null references products(id) on delete cascade,
      day date not null,
      event text not null check (event in ('views', 'addsToCart')),
      visitor text not null,
      primary key (product_id, day, event, visitor)
    )`);
  await knex.raw(`create index product_daily_visitors_day on product_daily_visitors (day)`);
  await knex.raw(`
    create function pasar_catalog_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('pasar_catalog', tg_table_name);
      return null;
    end $$`);
  for (const table of ['products', 'product_variants', 'product_images', 'stores', 'categories']) {
    await knex.raw(`create trigger ${table}_catalog_changed after insert or update or delete or truncate on ${table}
      for each statement execute function pasar_catalog_changed()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['products', 'product_variants', 'product_images', 'stores', 'categories']) {
    await knex.raw(`drop trigger if exists ${table}_catalog_changed on ${table}`);
  }
  await knex.raw('drop function if exists pasar_catalog_changed()');
  await knex.raw('drop table if exists product_daily_visitors');
}
