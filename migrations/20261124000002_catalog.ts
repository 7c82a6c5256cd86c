import type { Knex } from 'knex';

const id = (knex: Knex, t: Knex.CreateTableBuilder) => t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('categories', (t) => {
    id(knex, t);
    t.uuid('parent_id').references('categories.id').onDelete('RESTRICT').index();
    t.text('slug').notNullable().unique();
    t.text('name_id').notNullable();
    t.text('name_en').notNullable();
    t.integer('position').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('products', (t) => {
    id(knex, t);
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.uuid('category_id').notNullable().references('categories.id').onDelete('RESTRICT').index();
    t.text('title').notNullable();
    t.text('slug').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('status').notNullable().defaultTo('draft').checkIn(['draft', 'active', 'archived'], 'products_status_check');
    t.jsonb('specifications').notNullable().defaultTo('[]');
    t.jsonb('options').notNullable().defaultTo('[]');
    // denormalised for listing and sorting; kept current by the code that changes them
    t.bigInteger('price_min').notNullable().defaultTo(0);
    t.bigInteger('price_max').notNullable().defaultTo(0);
    t.integer('sold_count').notNullable().defaultTo(0);
    t.decimal('rating_avg', 3, 2).notNullable().defaultTo(0);
    t.integer('rating_count').notNullable().defaultTo(0);
    t.timestamps(true, true);
    t.unique(['store_id', 'slug']);
    t.index(['store_id', 'status']);
    t.index(['status', 'created_at']);
  });
  await knex.raw(`alter table products add constraint products_counts_check check (sold_count >= 0 and rating_count >= 0 and price_min <= price_max)`);
  await knex.raw(`create index products_title_trgm on products using gin (title gin_trgm_ops)`);

  await knex.schema.createTable('product_variants', (t) => {
    id(knex, t);
    t.uuid('product_id').notNullable().references('products.id').onDelete('CASCADE').index();
    t.uuid('store_id').notNullable().references('stores.id').onDelete('CASCADE');
    t.text('sku').notNullable();
    t.jsonb('options').notNullable().defaultTo('{}');
    t.bigInteger('price').notNullable();
    t.integer('stock').notNullable().defaultTo(0);
    t.integer('low_stock_threshold').notNullable().defaultTo(10);
    // the seller's order of the variants
    t.integer('position').notNullable().defaultTo(0);
    t.timestamp('archived_at', { useTz: true });
    t.timestamps(true, true);
    t.unique(['store_id', 'sku']);
    t.index(['store_id', 'stock']);
  });
  await knex.raw(`alter table product_variants add constraint product_variants_stock_check check (stock >= 0)`);
  await knex.raw(`alter table product_variants add constraint product_variants_price_check check (price >= 0)`);
  await knex.raw(`alter table product_variants add constraint product_variants_threshold_check check (low_stock_threshold >= 0)`);

  await knex.schema.createTable('product_images', (t) => {
    id(knex, t);
    t.uuid('product_id').notNullable().references('products.id').onDelete('CASCADE');
    t.text('object_key').notNullable();
    t.text('thumbnail_key').notNullable();
    t.text('content_type').notNullable().checkIn(['image/jpeg', 'image/png'], 'product_images_type_check');
    t.integer('size_bytes').notNullable();
    t.integer('width').notNullable();
    t.integer('height').notNullable();
    t.integer('position').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['product_id', 'position']);
  });

  await knex.schema.createTable('stock_movements', (t) => {
    id(knex, t);
    t.uuid('variant_id').notNullable().references('product_variants.id').onDelete('CASCADE');
    t.uuid('actor_id').references('users.id').onDelete('SET NULL');
    t.integer('old_stock').notNullable();
    t.integer('new_stock').notNullable();
    t.text('reason').notNullable().checkIn(['manual', 'sale', 'cancellation'], 'stock_movements_reason_check');
    t.uuid('order_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['variant_id', 'created_at']);
  });

  // counted per product per day (not a row per view), for the seller funnel
  await knex.schema.createTable('product_daily_stats', (t) => {
    t.uuid('product_id').notNullable().references('products.id').onDelete('CASCADE');
    t.date('day').notNullable();
    t.integer('views').notNullable().defaultTo(0);
    t.integer('adds_to_cart').notNullable().defaultTo(0);
    t.primary(['product_id', 'day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['product_daily_stats', 'stock_movements', 'product_images', 'product_variants', 'products', 'categories']) {
    await knex.schema.dropTableIfExists(table);
  }
}
