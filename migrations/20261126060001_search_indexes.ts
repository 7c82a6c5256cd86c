import type { Knex } from 'knex';

/**
 * Indexes for the Postgres search engine's statements (measured on the 100k-product bench dataset):
 * - the facet count of the whole catalog (the product list without words) reads a small index of
 *   (category, store) instead of every product row (index-only scan: ~1,500 buffers instead of ~14,400);
 * - relevance candidates and the popular sort walk the active products by (sold_count desc, id), the
 *   id breaking ties so every page of a search sees the same order (it replaces the index on
 *   sold_count alone).
 * Index-only scans need a current visibility map: products are vacuumed after 2% of them changed
 * (sales update sold_count), not the default 20%.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index products_active_facets on products (category_id, store_id) where status = 'active'`);
  await knex.raw(`create index products_active_sold_id on products (sold_count desc, id) where status = 'active'`);
  await knex.raw('drop index if exists products_active_sold');
  await knex.raw('alter table products set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table products reset (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)');
  await knex.raw(`create index if not exists products_active_sold on products (sold_count desc) where status = 'active'`);
  await knex.raw('drop index if exists products_active_sold_id');
  await knex.raw('drop index if exists products_active_facets');
}
