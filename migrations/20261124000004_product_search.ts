import type { Knex } from 'knex';

/**
 * Postgres product search: a weighted tsvector per product (title, then category and store names,
 * then description), kept current by triggers so every writer gets it right, plus trigram search
 * on titles for typos.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table products add column search_vector tsvector not null default ''::tsvector`);
  await knex.raw(`
    create function pasar_product_search_vector(p_title text, p_description text, p_category uuid, p_store uuid)
    returns tsvector language sql stable as $$
      select setweight(to_tsvector('simple', coalesce(p_title, '')), 'A')
        || setweight(to_tsvector('simple', coalesce((select name_id || ' ' || name_en from categories where id = p_category), '')), 'B')
        || setweight(to_tsvector('simple', coalesce((select name from stores where id = p_store), '')), 'B')
        || setweight(to_tsvector('simple', coalesce(p_description, '')), 'C')
    $$`);
  await knex.raw(`
    create function pasar_products_search_vector() returns trigger language plpgsql as $$
    begin
      new.search_vector := pasar_product_search_vector(new.title, new.description, new.category_id, new.store_id);
      return new;
    end $$`);
  await knex.raw(`
    create trigger products_search_vector before insert or update of title, description, category_id, store_id
    on products for each row execute function pasar_products_search_vector()`);
  await knex.raw(`
    create function pasar_refresh_product_search() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'stores' then
        update products set search_vector = pasar_product_search_vector(title, description, category_id, store_id) where store_id = new.id;
      else
        update products set search_vector = pasar_product_search_vector(title, description, category_id, store_id) where category_id = new.id;
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger stores_search_vector after update of name on stores for each row execute function pasar_refresh_product_search()`);
  await knex.raw(`create trigger categories_search_vector after update of name_id, name_en on categories for each row execute function pasar_refresh_product_search()`);
  await knex.raw(`update products set search_vector = pasar_product_search_vector(title, description, category_id, store_id)`);
  await knex.raw(`create index products_search_vector on products using gin (search_vector)`);
  await knex.raw(`create index products_active_price on products (price_min) where status = 'active'`);
  await knex.raw(`create index products_active_sold on products (sold_count desc) where status = 'active'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists categories_search_vector on categories');
  await knex.raw('drop trigger if exists stores_search_vector on stores');
  await knex.raw('drop trigger if exists products_search_vector on products');
  await knex.raw('drop function if exists pasar_refresh_product_search()');
  await knex.raw('drop function if exists pasar_products_search_vector()');
  await knex.raw('drop function if exists pasar_product_search_vector(text, text, uuid, uuid)');
  await knex.raw('drop index if exists products_active_price');
  await knex.raw('drop index if exists products_active_sold');
  await knex.raw('alter table products drop column search_vector');
}
