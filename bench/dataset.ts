import bcrypt from 'bcrypt';
import { Presets, SingleBar } from 'cli-progress';
import type { Knex } from 'knex';
import { seedDemo } from '../seeds/demo.ts';
import type { ObjectStorage } from '../core-api/src/platform/storage/types.ts';

export interface DatasetSize {
  products: number;
  stores: number;
  shoppers: number;
  orders: number;
}

const KEY = 'benchDataset';

/**
 * A realistic marketplace for the benchmarks, built with set-based SQL: stores, products with three
 * variants each, shoppers, and a year of orders (half of them in one large store, for the analytics
 * target). Built once: a later run with the same size reuses it.
 */
export async function buildDataset(db: Knex, storage: ObjectStorage, size: DatasetSize, quiet = false): Promise<boolean> {
  const existing = await db('app_settings').where({ key: KEY }).first();
  const same = existing && (Object.keys(size) as Array<keyof DatasetSize>).every((k) => existing.value[k] === size[k]);
  if (same) return false;
  if (existing) throw new Error(`This database holds a dataset of another size (${JSON.stringify(existing.value)}); use another BENCH_DATA_DIR.`);

  const steps: Array<[string, () => Promise<unknown>]> = [
    ['demo catalog', () => seedDemo({ knex: db, storage })],
    ['sellers and stores', async () => {
      const hash = await bcrypt.hash('bench-password', 4);
      await db.raw(
        `with u as (
           insert into users (email, password_hash, name, role)
           select 'seller' || g || '@bench.pasar.test', ?, 'Penjual ' || g, 'seller' from generate_series(1, ?) g returning id, name)
         insert into stores (owner_id, name, slug, city_code, location)
         select u.id, 'Toko ' || u.name, 'bench-' || substr(md5(u.id::text), 1, 10), r.code, r.name
         from u join regions r on r.code = (array['31.71','32.73','34.71','35.78','12.71','73.71','51.71','33.74'])[1 + (abs(hashtext(u.id::text)) % 8)]`,
        [hash, size.stores],
      );
      await db.raw(
        `insert into users (email, password_hash, name, role) select 'shopper' || g || '@bench.pasar.test', ?, 'Pembeli ' || g, 'customer' from generate_series(1, ?) g`,
        [hash, size.shoppers],
      );
    }],
    ['products', () =>
      db.raw(
        `insert into products (store_id, category_id, title, slug, description, status, options, specifications, created_at, updated_at)
         select s.ids[1 + (g % s.n)], c.ids[1 + ((g * 7) % c.n)],
           (array['Kemeja','Sepatu','Kopi','Tas','Kain','Teh','Keranjang','Vas','Sabun','Lampu','Celana','Dompet'])[1 + g % 12] || ' ' ||
           (array['Batik','Kanvas','Arabika','Rotan','Tenun','Melati','Pandan','Gerabah','Sereh','Jati','Linen','Kulit'])[1 + (g / 12) % 12] || ' ' ||
           (array['Premium','Klasik','Modern','Lokal','Asli','Motif','Polos','Edisi'])[1 + (g / 144) % 8] || ' ' || g,
           'bench-' || g, 'Produk buatan UMKM nomor ' || g || ', dibuat dengan tangan.', 'active',
           '[{"name":"Ukuran","values":["S","M","L"]}]', '[{"label":"Asal","value":"Indonesia"}]',
           now() - (g % 365) * interval '1 day', now()
         from generate_series(1, ?) g,
           (select array_agg(id order by id) as ids, count(*) as n from stores where slug like 'bench-%') s,
           (select array_agg(id order by id) as ids, count(*) as n from categories where parent_id is not null) c`,
        [size.products],
      )],
    ['variants', async () => {
      await db.raw(
        `insert into product_variants (product_id, store_id, sku, options, price, stock, position)
         select p.id, p.store_id, 'B' || substr(md5(p.id::text), 1, 10) || '-' || v,
           json_build_object('Ukuran', (array['S','M','L'])[v]), (10 + abs(hashtext(p.id::text)) % 490) * 1000 + v * 5000,
           (abs(hashtext(p.id::text || v)) % 300), v - 1
         from products p cross join generate_series(1, 3) v where p.slug like 'bench-%'`,
      );
      await db.raw(
        `update products p set price_min = v.low, price_max = v.high
         from (select product_id, min(price) as low, max(price) as high from product_variants group by product_id) v
         where v.product_id = p.id and p.slug like 'bench-%'`,
      );
    }],
    // temp tables live on one connection: the whole step runs in one transaction
    ['orders over a year', () => db.transaction(async (db) => {
      await db.raw(`create temp table bench_store_variants as
        select v.store_id, array_agg(v.id order by v.id) as variants, count(*) as n, row_number() over (order by v.store_id) as k
        from product_variants v join stores s on s.id = v.store_id where s.slug like 'bench-%' group by v.store_id`);
      await db.raw(`create temp table bench_orders as
        select g, gen_random_uuid() as order_id, gen_random_uuid() as checkout_id,
          sh.ids[1 + (g % sh.n)] as user_id, sv.store_id,
          sv.variants[1 + (g % sv.n)] as v1, sv.variants[1 + ((g * 7 + 3) % sv.n)] as v2,
          1 + g % 3 as q1, 1 + g % 2 as q2,
          now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second' as placed_at,
          (array['delivered','delivered','delivered','delivered','delivered','delivered','shipped','processing','pending','cancelled'])[1 + g % 10] as status
        from generate_series(1, ?) g
          cross join (select array_agg(id order by id) as ids, count(*) as n from users where email like 'shopper%@bench.pasar.test') sh
          join bench_store_variants sv on sv.k = case when g % 2 = 0 then 1 else 1 + g % (select count(*) from bench_store_variants) end`,
        [size.orders]);
      await db.raw(`create temp table bench_lines as
        select o.order_id, v.id as variant_id, v.product_id, p.title, v.options, v.sku, v.price, q.q
        from bench_orders o
          cross join lateral (values (o.v1, o.q1), (o.v2, o.q2)) as q(variant_id, q)
          join product_variants v on v.id = q.variant_id join products p on p.id = v.product_id`);
      await db.raw(`create temp table bench_totals as select order_id, sum(price * q) as subtotal from bench_lines group by order_id`);
      await db.raw(`insert into checkouts (id, user_id, idempotency_key, request_hash, status, payment_method, total, created_at)
        select o.checkout_id, o.user_id, 'bench-' || o.g, 'bench', 'completed', 'cod', t.subtotal + 10000, o.placed_at
        from bench_orders o join bench_totals t on t.order_id = o.order_id`);
      await db.raw(`insert into orders (id, checkout_id, store_id, user_id, number, status, subtotal, shipping_cost, total, shipping_address, placed_at, created_at, updated_at)
        select o.order_id, o.checkout_id, o.store_id, o.user_id, 'PSR-BENCH-' || o.g, o.status, t.subtotal, 10000, t.subtotal + 10000,
          '{"recipient":"Pembeli","phone":"081200000000","street":"Jl. Bench 1","cityCode":"31.71","city":"Kota Administrasi Jakarta Pusat","provinceCode":"31","province":"Daerah Khusus Ibukota Jakarta","postalCode":"10110"}',
          o.placed_at, o.placed_at, o.placed_at
        from bench_orders o join bench_totals t on t.order_id = o.order_id`);
      await db.raw(`insert into order_items (order_id, variant_id, product_id, title, options, sku, unit_price, quantity, line_total)
        select order_id, variant_id, product_id, title, options, sku, price, q, price * q from bench_lines`);
      // the products' sold counts follow the items by trigger
      await db.raw('drop table bench_totals, bench_lines, bench_orders, bench_store_variants');
    })],
    // vacuumed as a live database is (index-only scans read the visibility map), with fresh statistics
    ['statistics', () => db.raw('vacuum (analyze)')],
  ];

  const bar = quiet ? null : new SingleBar({ format: 'Building the benchmark dataset [{bar}] {value}/{total} {step}', hideCursor: true }, Presets.shades_classic);
  bar?.start(steps.length, 0, { step: '' });
  for (const [index, [name, run]] of steps.entries()) {
    bar?.update(index, { step: name });
    await run();
  }
  bar?.update(steps.length, { step: 'done' });
  bar?.stop();
  await db('app_settings').insert({ key: KEY, value: JSON.stringify(size) });
  return true;
}
