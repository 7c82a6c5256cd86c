import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import sharp from 'sharp';
import { checkedFetch, startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

const address = { recipient: 'Ani Wijaya', phone: '081311112222', street: 'Jl. Dago 1', city: 'Bandung', province: 'Jawa Barat', postalCode: '40135' };

/** What the seller portal's screens read beyond the basic CRUD: order tabs, category filter, stock history. */
describe('seller screens', () => {
  let app: TestApp;
  let seller: Session;
  let otherSeller: Session;
  let cats: Record<string, string>;
  let shoes: { id: string; variants: Array<{ id: string }> };
  let coffee: { id: string; variants: Array<{ id: string }> };

  async function order(variantId: string, quantity: number): Promise<{ id: string; number: string }> {
    const buyer = await signUpCustomer(app);
    expect((await app.request('POST', '/cart/items', { token: buyer.token, body: { variantId, quantity } })).status).to.equal(200);
    const res = await app.request('POST', '/checkout', { token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { shippingAddress: address, paymentMethod: 'ovo' } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.orders[0];
  }

  before(async () => {
    app = await startTestApp();
    cats = await categories(app);
    seller = await signUpSeller(app, 'Toko Serba', 'Bandung');
    otherSeller = await signUpSeller(app, 'Toko Lain', 'Surabaya');
    shoes = await createProduct(app, seller, { title: 'Sepatu Kanvas', categoryId: cats.sepatu, status: 'active', variants: [{ options: {}, price: 200000, stock: 50 }] });
    coffee = await createProduct(app, seller, { title: 'Kopi Gayo', categoryId: cats.kopi, status: 'active', variants: [{ options: {}, price: 80000, stock: 50 }] });
  });
  after(() => app.close());

  describe('GET /seller/orders', () => {
    it('should count the orders per status that match the search, whatever status is listed', async () => {
      const first = await order(shoes.variants[0].id, 1);
      const second = await order(shoes.variants[0].id, 1);
      await order(coffee.variants[0].id, 1);
      expect((await app.request('POST', `/seller/orders/${second.id}/status`, { token: seller.token, body: { status: 'processing' } })).status).to.equal(200);

      const all = await app.request('GET', '/seller/orders?status=processing', { token: seller.token });
      expect(all.status).to.equal(200);
      expect(all.body.items.map((o: { id: string }) => o.id)).to.deep.equal([second.id]);
      expect(all.body.counts).to.deep.equal({ pending: 2, processing: 1, shipped: 0, delivered: 0, cancelled: 0 });

      const searched = await app.request('GET', `/seller/orders?q=${first.number.slice(-6).toLowerCase()}`, { token: seller.token });
      expect(searched.body.items.map((o: { id: string }) => o.id)).to.deep.equal([first.id]);
      expect(searched.body.counts).to.deep.equal({ pending: 1, processing: 0, shipped: 0, delivered: 0, cancelled: 0 });
    });

    it("should count none of another store's orders", async () => {
      const res = await app.request('GET', '/seller/orders', { token: otherSeller.token });
      expect(res.body.counts).to.deep.equal({ pending: 0, processing: 0, shipped: 0, delivered: 0, cancelled: 0 });
    });
  });

  describe('GET /seller/products?categoryId', () => {
    it('should list the products of a category and of its descendants', async () => {
      const ids = async (categoryId: string) =>
        (await app.request('GET', `/seller/products?categoryId=${categoryId}`, { token: seller.token })).body.items.map((p: { id: string }) => p.id);
      expect(await ids(cats.sepatu)).to.deep.equal([shoes.id]);
      expect(await ids(cats.fesyen)).to.deep.equal([shoes.id]);
      expect(await ids(cats.makanan)).to.deep.equal([coffee.id]);
      expect(await ids(cats.kemeja)).to.deep.equal([]);
    });

    it('should refuse a category id that is not an id, naming the parameter', async () => {
      const res = await app.request('GET', '/seller/products?categoryId=sepatu', { token: seller.token });
      expect(res.status).to.equal(400);
      expect(res.body.errors.map((e: { parameter?: string }) => e.parameter)).to.include('categoryId');
    });
  });

  describe('GET /seller/inventory/{variantId}/history', () => {
    it('should list manual changes and sales newest first, with the order number of a sale', async () => {
      const variantId = coffee.variants[0].id;
      expect((await app.request('PATCH', '/seller/inventory', { token: seller.token, body: { items: [{ variantId, stock: 40 }] } })).status).to.equal(200);
      const sold = await order(variantId, 3);
      const res = await app.request('GET', `/seller/inventory/${variantId}/history`, { token: seller.token });
      expect(res.status).to.equal(200);
      const rows = res.body.items.map((m: Record<string, unknown>) => [m.reason, m.oldStock, m.newStock, m.change, m.orderNumber]);
      expect(rows.slice(0, 2)).to.deep.equal([
        ['sale', 40, 37, -3, sold.number],
        ['manual', 49, 40, -9, null],
      ]);
      expect(res.body.total).to.equal(3); // the sale in the first orders test
      const page = await app.request('GET', `/seller/inventory/${variantId}/history?pageSize=1&page=2`, { token: seller.token });
      expect(page.body.items).to.have.length(1);
      expect(page.body.items[0].reason).to.equal('manual');
    });

    it("should answer 404 for another store's variant and for an unknown one", async () => {
      expect((await app.request('GET', `/seller/inventory/${coffee.variants[0].id}/history`, { token: otherSeller.token })).status).to.equal(404);
      expect((await app.request('GET', `/seller/inventory/${randomUUID()}/history`, { token: seller.token })).status).to.equal(404);
    });
  });

  describe('PUT /seller/store/logo', () => {
    const putLogo = async (who: Session, bytes: Buffer, type = 'image/png') => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type }), 'logo.png');
      const response = await checkedFetch(new Request(`${app.url}/seller/store/logo`, { method: 'PUT', headers: { authorization: `Bearer ${who.token}` }, body: form }));
      return { status: response.status, body: await response.json() };
    };
    const me = async () => (await app.request('GET', '/me', { token: seller.token })).body;

    it('should store the logo as a 400 px square JPEG served from its URL, and show it on the store', async () => {
      const logo = await sharp({ create: { width: 900, height: 500, channels: 3, background: { r: 194, g: 65, b: 12 } } }).png().toBuffer();
      const res = await putLogo(seller, logo);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.logoUrl).to.match(/\/media\/[a-f0-9]{64}\.jpg$/);
      expect((await me()).store.logoUrl).to.equal(res.body.logoUrl);
      const image = await fetch(res.body.logoUrl);
      expect(image.headers.get('content-type')).to.equal('image/jpeg');
      expect(await sharp(Buffer.from(await image.arrayBuffer())).metadata()).to.include({ width: 400, height: 400, format: 'jpeg' });
      // shoppers and partners see it on the public store page and in the store list
      const slug = (await me()).store.slug;
      expect((await app.request('GET', `/stores/${slug}`)).body.logoUrl).to.equal(res.body.logoUrl);
      const listed = (await app.request('GET', `/stores?q=${encodeURIComponent((await me()).store.name)}`)).body.items;
      expect(listed.find((s: { slug: string }) => s.slug === slug).logoUrl).to.equal(res.body.logoUrl);
    });

    it('should refuse what is not a JPEG or PNG (415 on /file) and keep the logo it had', async () => {
      const before = (await me()).store.logoUrl;
      const res = await putLogo(seller, Buffer.from('GIF89a bukan logo'), 'image/png');
      expect(res.status).to.equal(415);
      expect(res.body.errors.map((e: { pointer?: string }) => e.pointer)).to.deep.equal(['/file']);
      expect((await me()).store.logoUrl).to.equal(before);
    });

    it('should let only a seller set a logo, and remove it with DELETE', async () => {
      const buyer = await signUpCustomer(app);
      expect((await putLogo(buyer, Buffer.from('x'))).status).to.equal(403);
      expect((await app.request('DELETE', '/seller/store/logo', { token: seller.token })).status).to.equal(204);
      expect((await me()).store).not.to.have.property('logoUrl');
      expect((await app.request('GET', `/stores/${(await me()).store.slug}`)).body).not.to.have.property('logoUrl');
    });
  });
});
