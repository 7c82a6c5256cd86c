import type { APIRoute } from 'astro';
import { dataOrNull } from '../lib/api';

const MAX_PRODUCT_PAGES = 10;
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Home, every category, the newest products (up to 1 000) and their stores. */
export const GET: APIRoute = async ({ locals }) => {
  const { api, site } = locals;
  const [categories, first] = await Promise.all([
    dataOrNull(api.GET('/categories')),
    dataOrNull(api.GET('/products', { params: { query: { sort: 'newest', pageSize: 100 } } })),
  ]);
  if (!categories || !first) return new Response('API unavailable', { status: 503 });
  const pages = Math.min(MAX_PRODUCT_PAGES, Math.ceil(first.total / 100));
  const rest = await Promise.all(
    Array.from({ length: Math.max(0, pages - 1) }, (_, i) =>
      dataOrNull(api.GET('/products', { params: { query: { sort: 'newest', pageSize: 100, page: i + 2 } } })),
    ),
  );
  const products = [first, ...rest].flatMap((p) => p?.items ?? []);
  const urls = [
    '/',
    ...categories.items.map((c) => `/kategori/${c.slug}`),
    ...new Set(products.map((p) => `/toko/${p.store.slug}`)),
    ...products.map((p) => `/produk/${p.slug}-${p.id}`),
  ];
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
    urls.map((u) => `  <url><loc>${escape(site + u)}</loc></url>`).join('\n') +
    '\n</urlset>\n';
  return new Response(xml, { headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'public, max-age=600' } });
};
