import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';

const SRC = join(import.meta.dirname, '..', 'src');

/**
 * Who may write each table (core-api/README.md, "Modules and what they own"): a folder under
 * src/. Other code reads through the owner's functions or joins, and never writes.
 */
const OWNERS: Record<string, string[]> = {
  users: ['modules/accounts'],
  stores: ['modules/accounts'],
  refresh_tokens: ['modules/accounts'],
  rate_limits: ['modules/accounts'],
  categories: ['modules/catalog'],
  products: ['modules/catalog'],
  // stock is inventory's column: written only by its one stock function
  product_variants: ['modules/catalog', 'modules/inventory'],
  product_images: ['modules/catalog'],
  stock_movements: ['modules/inventory'],
  carts: ['modules/cart'],
  cart_items: ['modules/cart'],
  checkouts: ['modules/orders'],
  orders: ['modules/orders'],
  order_items: ['modules/orders'],
  order_events: ['modules/orders'],
  payments: ['modules/payments'],
  payment_events: ['modules/payments'],
  refunds: ['modules/payments'],
  reviews: ['modules/reviews'],
  addresses: ['modules/addresses'],
  regions: ['modules/regions'],
  outbox: ['modules/outbox'],
  weekly_reports: ['modules/notifications'],
  product_daily_stats: ['modules/analytics'],
  product_daily_visitors: ['modules/analytics'],
  product_daily_sales: ['modules/analytics'],
  store_daily_sales: ['modules/analytics'],
  store_order_statuses: ['modules/analytics'],
  // derived data of the platform adapters, rebuilt from the tables above
  search_words: ['platform/search'],
  sim_gateway_charges: ['platform/payments'],
  sim_gateway_refunds: ['platform/payments'],
  app_settings: ['seed.ts'],
};

/** Writes still to move behind their owner's functions (issue 14); each entry is removed as it is fixed. */
const KNOWN_STRAYS: string[] = [
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** knex maps camelCase identifiers to snake_case (knexSnakeCaseMappers): `orderItems` is order_items. */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const WRITE = /\.(insert|update|upsert|del|delete|increment|decrement|truncate|onConflict|merge)\(/;

/** The tables a source file writes: knex builders (`trx('orders')…insert(`), models (`tableName`) and raw SQL. */
function writtenTables(code: string): Set<string> {
  const tables = new Set<string>();
  // a knex builder on a table (typed or not: `trx<Row>('orders')`), followed within its statement by a write
  for (const m of code.matchAll(/\b\w+(?:<[^;]*?>)?\(\s*'([a-zA-Z_]+)'(?:\s+as\s+\w+)?\s*\)([\s\S]*?);/g)) {
    if (snake(m[1]) in OWNERS && WRITE.test(m[2].split(/\b\w+(?:<[^;]*?>)?\(\s*'[a-zA-Z_]+'\s*\)/)[0])) tables.add(snake(m[1]));
  }
  for (const m of code.matchAll(/\.(?:into|table)\(\s*'([a-zA-Z_]+)'/g)) tables.add(snake(m[1]));
  for (const m of code.matchAll(/\b(?:insert\s+into|update|delete\s+from)\s+"?([a-z_]+)"?[\s(]/gi)) {
    if (m[1] in OWNERS) tables.add(m[1]);
  }
  // an Objection model is its table's writer: it must live with the owner
  for (const m of code.matchAll(/tableName\s*=\s*'([a-z_]+)'/g)) tables.add(m[1]);
  return tables;
}

describe('module boundaries: each table is written by its owner only', () => {
  it('should name an owner for every table a source file writes, and find the writes in the owner', () => {
    const strays: string[] = [];
    for (const file of sources(SRC)) {
      const where = relative(SRC, file);
      for (const table of writtenTables(readFileSync(file, 'utf8'))) {
        const owners = OWNERS[table];
        if (!owners) strays.push(`${where} writes ${table}, which has no owner in this test`);
        else if (!owners.some((o) => where === o || where.startsWith(`${o}/`))) strays.push(`${where} writes ${table} (owned by ${owners.join(', ')})`);
      }
    }
    expect(strays.filter((s) => !KNOWN_STRAYS.includes(s)), 'new writes outside the owner').to.deep.equal([]);
    expect(KNOWN_STRAYS.filter((s) => !strays.includes(s)), 'fixed: remove from KNOWN_STRAYS').to.deep.equal([]);
  });

  it('should catch a write to another module’s table (the check itself)', () => {
    expect([...writtenTables(`await trx('orders').where({ id }).update({ status });`)]).to.deep.equal(['orders']);
    expect([...writtenTables(`await trx('cartItems').whereIn('id', ids).del();`)]).to.deep.equal(['cart_items']);
    expect([...writtenTables(`await trx<OrderRow>('orders').insert(rows);`)]).to.deep.equal(['orders']);
    expect([...writtenTables(`await db<Pick<Row, 'id'>>('cartItems').where({ id }).update({ quantity });`)]).to.deep.equal(['cart_items']);
    expect([...writtenTables(`await trx.raw('update product_variants set stock = stock - 1')`)]).to.deep.equal(['product_variants']);
    expect([...writtenTables(`static tableName = 'orders';`)]).to.deep.equal(['orders']);
    expect([...writtenTables(`const rows = await trx('orders').where({ id }).first();`)]).to.deep.equal([]);
  });
});
