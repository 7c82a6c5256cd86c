import { expect } from 'chai';
import type { TestApp } from './app.ts';

let seq = 0;
export const uniqueEmail = (tag: string) => `${tag}.${Date.now()}.${++seq}@pasar.test`;

export interface Session {
  token: string;
  userId: string;
  storeId?: string;
}

export async function signUpSeller(app: TestApp, storeName = 'Toko Uji', location = 'Yogyakarta'): Promise<Session> {
  const res = await app.request('POST', '/auth/register', {
    body: { email: uniqueEmail('seller'), password: 'rahasia-sekali-123', name: 'Penjual', role: 'seller', store: { name: storeName, location } },
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return { token: res.body.accessToken, userId: res.body.user.id, storeId: res.body.store.id };
}

export async function signUpCustomer(app: TestApp): Promise<Session> {
  const res = await app.request('POST', '/auth/register', {
    body: { email: uniqueEmail('buyer'), password: 'rahasia-sekali-123', name: 'Pembeli', role: 'customer' },
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return { token: res.body.accessToken, userId: res.body.user.id };
}

/** Inserts a small category tree once per database: Fesyen > Sepatu, Fesyen > Kemeja; Makanan > Kopi. */
export async function categories(app: TestApp): Promise<Record<string, string>> {
  const existing = await app.db.knex('categories').select('id', 'slug');
  if (existing.length) return Object.fromEntries(existing.map((c) => [c.slug, c.id]));
  const [fesyen] = await app.db.knex('categories').insert({ slug: 'fesyen', nameId: 'Fesyen', nameEn: 'Fashion', position: 0 }).returning('id');
  const [makanan] = await app.db.knex('categories').insert({ slug: 'makanan', nameId: 'Makanan', nameEn: 'Food', position: 1 }).returning('id');
  const rows = await app.db.knex('categories')
    .insert([
      { slug: 'sepatu', nameId: 'Sepatu', nameEn: 'Shoes', parentId: fesyen.id, position: 0 },
      { slug: 'kemeja', nameId: 'Kemeja', nameEn: 'Shirts', parentId: fesyen.id, position: 1 },
      { slug: 'kopi', nameId: 'Kopi', nameEn: 'Coffee', parentId: makanan.id, position: 0 },
    ])
    .returning(['id', 'slug']);
  return { fesyen: fesyen.id, makanan: makanan.id, ...Object.fromEntries(rows.map((r: { slug: string; id: string }) => [r.slug, r.id])) };
}

export async function createProduct(app: TestApp, seller: Session, body: Record<string, unknown>) {
  const res = await app.request('POST', '/seller/products', { token: seller.token, body });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body;
}
