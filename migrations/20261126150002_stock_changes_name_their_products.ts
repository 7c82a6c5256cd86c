import type { Knex } from 'knex';

/**
 * Every sale changes stock, and a change of product_variants told every replica to drop its whole
 * catalog cache: while shoppers buy, product pages and lists were read from SQL again and again.
 * Now an update of product_variants that changes only stock, and moves no variant between in stock
 * and sold out, announces `stock <product ids>` on `pasar_catalog`: only those products' pages
 * change (their stock numbers); lists, which show only whether a product is in stock, do not. Any
 * other change (a price, a SKU, a variant sold out or back) still announces the table, and every
 * answer is dropped, as are inserts, deletes and truncates. So is a statement that touches more
 * than 100 products (the payload stays far below Postgres' 8000 bytes).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function pasar_variants_changed() returns trigger language plpgsql as $$
    declare
      whole boolean;
      products text;
    begin
      select coalesce(bool_or((o.stock > 0) <> (n.stock > 0) or (to_jsonb(o) - 'stock' - 'updated_at') <> (to_jsonb(n) - 'stock' - 'updated_at')), false)
               or count(distinct n.product_id) > 100 or count(*) <> (select count(*) from new_rows),
             string_agg(distinct cast(n.product_id as text), ',')
        into whole, products
        from old_rows o join new_rows n on n.id = o.id;
      if whole then
        perform pg_notify('pasar_catalog', tg_table_name);
      elsif products is not null then
        perform pg_notify('pasar_catalog', 'stock ' || products);
      end if;
      return null;
    end $$`);
  await knex.raw('drop trigger product_variants_catalog_changed on product_variants');
  await knex.raw(`create trigger product_variants_catalog_changed after insert or delete or truncate on product_variants
    for each statement execute function pasar_catalog_changed()`);
  await knex.raw(`create trigger product_variants_catalog_updated after update on product_variants
    referencing old table as old_rows new table as new_rows for each statement execute function pasar_variants_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger product_variants_catalog_updated on product_variants');
  await knex.raw('drop trigger product_variants_catalog_changed on product_variants');
  await knex.raw(`create trigger product_variants_catalog_changed after insert or update or delete or truncate on product_variants
    for each statement execute function pasar_catalog_changed()`);
  await knex.raw('drop function pasar_variants_changed()');
}
