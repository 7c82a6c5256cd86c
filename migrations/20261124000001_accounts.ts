import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pg_trgm');

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('email').notNullable();
    t.text('password_hash').notNullable();
    t.text('name').notNullable();
    t.text('role').notNullable().checkIn(['customer', 'seller'], 'users_role_check');
    t.text('locale').notNullable().defaultTo('id').checkIn(['id', 'en'], 'users_locale_check');
    t.timestamps(true, true);
  });
  await knex.raw('create unique index users_email_lower_unique on users (lower(email))');

  await knex.schema.createTable('stores', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('owner_id').notNullable().unique().references('users.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('slug').notNullable().unique();
    t.text('location').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('timezone').notNullable().defaultTo('Asia/Jakarta');
    t.timestamps(true, true);
  });

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    t.uuid('family_id').notNullable().index();
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // the shape rate-limiter-flexible's Postgres store reads and writes
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
  });

  await knex.schema.createTable('app_settings', (t) => {
    t.text('key').primary();
    t.jsonb('value').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['app_settings', 'rate_limits', 'refresh_tokens', 'stores', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
