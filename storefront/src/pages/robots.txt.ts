import type { APIRoute } from 'astro';

export const GET: APIRoute = ({ locals }) =>
  new Response(
    ['User-agent: *', 'Disallow: /keranjang', 'Disallow: /checkout', 'Disallow: /akun', 'Disallow: /masuk', 'Disallow: /daftar', '', `Sitemap: ${locals.site}/sitemap.xml`, ''].join('\n'),
    { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=3600' } },
  );
