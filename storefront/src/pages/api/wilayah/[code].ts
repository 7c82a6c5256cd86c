import type { APIRoute } from 'astro';

/** A province's cities for the checkout form (the island asks here; the API's answer, trimmed). */
export const GET: APIRoute = async ({ params, locals }) => {
  const code = params.code ?? '';
  const json = (body: unknown, status = 200, cache = 'no-store') =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': cache } });
  if (!/^[0-9]{2}$/.test(code)) return json({ children: [] }, 400);
  const { data, response } = await locals.api.GET('/regions/{code}', { params: { path: { code } } }).catch(() => ({ data: undefined, response: { status: 502 } }));
  if (!data) return json({ children: [] }, response.status === 404 ? 404 : 502);
  return json({ children: data.children.map(({ code, name }) => ({ code, name })) }, 200, 'public, max-age=86400');
};
