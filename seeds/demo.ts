import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import sharp from 'sharp';
import slugify from 'slugify';
import type { ObjectStorage } from '../core-api/src/platform/storage/types.ts';
import { CATEGORIES, PRODUCTS, SHOPPERS, STORES, type DemoCategory, type DemoProduct } from './demo-catalog.ts';

export const DEMO_PASSWORD = 'pasar-demo-123';

export const DEMO_LOGINS = [
  ...STORES.map((s) => ({ email: s.owner.email, role: 'seller' as const, password: DEMO_PASSWORD, store: `${s.name}, ${s.location}` })),
  ...SHOPPERS.map((s) => ({ email: s.email, role: 'customer' as const, password: DEMO_PASSWORD })),
];

/** A small seeded PRNG (mulberry32): the demo data is the same on every machine. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PALETTE = ['#8c4a2f', '#2f5d8c', '#3f7d4e', '#a8792a', '#6b3f8c', '#b4463c', '#2f7a7a', '#5c5c3d'];

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A product photo stand-in: a coloured card with a pattern and the product's name. */
function productSvg(title: string, index: number, size: number): string {
  const hash = createHash('sha256').update(`${title}#${index}`).digest();
  const color = PALETTE[hash[0] % PALETTE.length];
  const accent = PALETTE[(hash[0] + 1 + (hash[1] % (PALETTE.length - 1))) % PALETTE.length];
  const words = title.split(' ');
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last && (last + ' ' + word).length <= 18) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  const circles = Array.from({ length: 6 }, (_, i) => {
    const x = (hash[2 + i] / 255) * size;
    const y = (hash[8 + i] / 255) * size;
    return `<circle cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" r="${(size / 6).toFixed(0)}" fill="${accent}" opacity="0.35"/>`;
  }).join('');
  const text = lines
    .map((line, i) => `<text x="50%" y="${44 + i * 9 - lines.length * 4}%" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="${size / 14}" font-weight="bold" fill="#fff">${escapeXml(line)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="${color}"/>${circles}<rect x="6%" y="${35 - lines.length * 4}%" width="88%" height="${6 + lines.length * 9}%" rx="24" fill="#000" opacity="0.25"/>${text}<text x="50%" y="92%" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="${size / 28}" fill="#fff" opacity="0.8">Foto ${index + 1} · Pasar demo</text></svg>`;
}

async function storeImage(storage: ObjectStorage, body: Buffer): Promise<string> {
  const key = `media/${createHash('sha256').update(body).digest('hex')}.jpg`;
  await storage.put(key, body, 'image/jpeg');
  return key;
}

async function makeImages(storage: ObjectStorage, product: DemoProduct) {
  const count = product.images ?? 1;
  return Promise.all(
    Array.from({ length: count }, async (_, position) => {
      const full = await sharp(Buffer.from(productSvg(product.title, position, 800))).jpeg({ quality: 82, mozjpeg: true }).toBuffer();
      const thumbnail = await sharp(full).resize(300, 300).jpeg({ quality: 78, mozjpeg: true }).toBuffer();
      return {
        objectKey: await storeImage(storage, full),
        thumbnailKey: await storeImage(storage, thumbnail),
        contentType: 'image/jpeg',
        sizeBytes: full.length,
        width: 800,
        height: 800,
        position,
      };
    }),
  );
}

/** Every combination of the option values: {Ukuran: [S, M], Warna: [Putih]} -> [{Ukuran: S, Warna: Putih}, ...]. */
function combinations(options: Record<string, string[]>): Array<Record<string, string>> {
  return Object.entries(options).reduce<Array<Record<string, string>>>(
    (acc, [name, values]) => acc.flatMap((combo) => values.map((value) => ({ ...combo, [name]: value }))),
    [{}],
  );
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

/**
 * The demo marketplace: categories, three stores in three cities, about forty products with
 * variants, stock (some low, some sold out) and generated photos, and two shoppers.
 */
export async function seedDemo({ knex, storage, log = () => {} }: { knex: Knex; storage: ObjectStorage; log?: (msg: string) => void }): Promise<void> {
  log('demo seed: generating product photos');
  const images = await mapLimit(PRODUCTS, 4, (product) => makeImages(storage, product));
  const passwordHash = await bcrypt.hash(DEMO_PASSWORD, 10);
  const rand = random(20261124);

  await knex.transaction(async (trx) => {
    const categoryIds = new Map<string, string>();
    const insertCategories = async (list: DemoCategory[], parentId: string | null) => {
      for (const [position, c] of list.entries()) {
        const [row] = await trx('categories').insert({ slug: c.slug, nameId: c.nameId, nameEn: c.nameEn, parentId, position }).returning('id');
        categoryIds.set(c.slug, row.id);
        if (c.children) await insertCategories(c.children, row.id);
      }
    };
    await insertCategories(CATEGORIES, null);

    for (const shopper of SHOPPERS) {
      const [user] = await trx('users').insert({ email: shopper.email, passwordHash, name: shopper.name, role: 'customer', locale: shopper.locale }).returning('id');
      await trx('addresses').insert({ ...shopper.address, userId: user.id, isDefault: true });
    }

    const storeIds = new Map<string, string>();
    for (const store of STORES) {
      const [owner] = await trx('users').insert({ email: store.owner.email, passwordHash, name: store.owner.name, role: 'seller' }).returning('id');
      const [row] = await trx('stores')
        .insert({ ownerId: owner.id, name: store.name, slug: store.slug, location: store.location, cityCode: store.cityCode, description: store.description })
        .returning('id');
      storeIds.set(store.key, row.id);
    }

    const perStore = new Map<string, number>();
    for (const [index, product] of PRODUCTS.entries()) {
      const store = STORES.find((s) => s.key === product.store)!;
      const storeId = storeIds.get(store.key)!;
      const number = (perStore.get(store.key) ?? 0) + 1;
      perStore.set(store.key, number);
      const options = product.options ?? {};
      const firstValues = Object.values(options)[0] ?? [];
      const variants = combinations(options).map((combo, v) => {
        const firstIndex = firstValues.indexOf(Object.values(combo)[0] ?? '');
        const roll = rand();
        return {
          storeId,
          position: v,
          sku: `${store.skuPrefix}-${String(number).padStart(3, '0')}-${String(v + 1).padStart(2, '0')}`,
          options: JSON.stringify(combo),
          price: product.price + Math.max(0, firstIndex) * (product.step ?? 0),
          // mostly in stock; some running low, a few sold out, for the inventory page
          stock: roll < 0.1 ? 0 : roll < 0.25 ? 1 + Math.floor(rand() * 8) : 12 + Math.floor(rand() * 90),
        };
      });
      const prices = variants.map((v) => v.price);
      const createdAt = new Date(Date.UTC(2026, 9, 1) + index * 36 * 3600 * 1000);
      const [row] = await trx('products')
        .insert({
          storeId,
          categoryId: categoryIds.get(product.category)!,
          title: product.title,
          slug: slugify.default(product.title, { lower: true, strict: true }),
          description: product.description,
          status: 'active',
          specifications: JSON.stringify(product.specifications),
          options: JSON.stringify(Object.entries(options).map(([name, values]) => ({ name, values }))),
          priceMin: Math.min(...prices),
          priceMax: Math.max(...prices),
          createdAt,
          updatedAt: createdAt,
        })
        .returning('id');
      await trx('productVariants').insert(variants.map((v) => ({ ...v, productId: row.id })));
      await trx('productImages').insert(images[index].map((img) => ({ ...img, productId: row.id })));
    }
  });
  log(`demo seed: ${STORES.length} stores, ${PRODUCTS.length} products, ${SHOPPERS.length} shoppers`);
}
