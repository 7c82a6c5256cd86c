import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import sharp from 'sharp';
import { checkedFetch, startTestApp, type TestApp } from './support/app.ts';
import { categories, createProduct, signUpSeller, type Session } from './support/fixtures.ts';

async function upload(app: TestApp, seller: Session, productId: string, bytes: Buffer, name: string, type: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await checkedFetch(
    new Request(`${app.url}/seller/products/${productId}/images`, { method: 'POST', headers: { authorization: `Bearer ${seller.token}` }, body: form }),
  );
  return { status: response.status, body: await response.json() };
}

const png = (width = 640, height = 480) =>
  sharp({ create: { width, height, channels: 3, background: '#c2410c' } }).png().toBuffer();

describe('product images', () => {
  let app: TestApp;
  let seller: Session;
  let other: Session;
  let productId: string;

  before(async () => {
    app = await startTestApp();
    const cats = await categories(app);
    seller = await signUpSeller(app, 'Foto Toko');
    other = await signUpSeller(app, 'Toko Lain');
    productId = (await createProduct(app, seller, { title: 'Tas Rotan', categoryId: cats.fesyen, variants: [{ options: {}, price: 1, stock: 1 }] })).id;
  });
  after(async () => {
    await app?.close();
  });

  describe('POST /seller/products/{id}/images', () => {
    it('should store a PNG re-encoded, with a listing-size JPEG thumbnail, served through /media with immutable caching', async () => {
      const res = await upload(app, seller, productId, await png(), 'foto.png', 'image/png');
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({ width: 640, height: 480 });
      expect(res.body.url).to.match(new RegExp(`^${app.url}/media/[a-f0-9]{64}\\.png$`));

      const full = await checkedFetch(new Request(res.body.url));
      expect(full.status).to.equal(200);
      expect(full.headers.get('content-type')).to.equal('image/png');
      expect(full.headers.get('cache-control')).to.include('immutable');
      const thumb = Buffer.from(await (await checkedFetch(new Request(res.body.thumbnailUrl))).arrayBuffer());
      const meta = await sharp(thumb).metadata();
      expect([meta.format, meta.width, meta.height]).to.deep.equal(['jpeg', 400, 400]);

      const again = await checkedFetch(new Request(res.body.url, { headers: { 'if-none-match': full.headers.get('etag')! } }));
      expect(again.status).to.equal(304);
    });

    it('should drop the photo metadata (EXIF, GPS)', async () => {
      const withExif = await sharp(await png(300, 300))
        .jpeg()
        .withExif({ IFD0: { Copyright: 'Rahasia', Make: 'KameraKu' } })
        .toBuffer();
      expect((await sharp(withExif).metadata()).exif, 'the upload has EXIF').to.not.equal(undefined);
      const res = await upload(app, seller, productId, withExif, 'foto.jpg', 'image/jpeg');
      expect(res.status).to.equal(201);
      const stored = Buffer.from(await (await fetch(res.body.url)).arrayBuffer());
      expect((await sharp(stored).metadata()).exif).to.equal(undefined);
    });

    it('should judge the file by its bytes: text named .png is 415', async () => {
      const res = await upload(app, seller, productId, Buffer.from('bukan gambar sama sekali'), 'foto.png', 'image/png');
      expect(res.status).to.equal(415);
      const gif = await sharp(await png(10, 10)).gif().toBuffer();
      expect((await upload(app, seller, productId, gif, 'foto.jpg', 'image/jpeg')).status, 'a GIF named .jpg').to.equal(415);
    });

    it('should answer 413 past 5 MB and store nothing', async () => {
      const before = await app.db.knex('productImages').where({ productId });
      const res = await upload(app, seller, productId, randomBytes(6 * 1024 * 1024), 'besar.jpg', 'image/jpeg');
      expect(res.status).to.equal(413);
      expect(await app.db.knex('productImages').where({ productId })).to.have.length(before.length);
    });

    it('should refuse a decompression bomb: a small file claiming too many pixels', async () => {
      const bomb = await png(8000, 6000);
      expect(bomb.length).to.be.below(5 * 1024 * 1024);
      const res = await upload(app, seller, productId, bomb, 'bom.png', 'image/png');
      expect(res.status).to.equal(422);
      expect(res.body.errors).to.deep.equal([{ pointer: '/file', message: 'has too many pixels' }]);
    });

    it('should want a file, and refuse another seller', async () => {
      const form = new FormData();
      form.append('caption', 'tanpa file');
      const none = await checkedFetch(new Request(`${app.url}/seller/products/${productId}/images`, { method: 'POST', headers: { authorization: `Bearer ${seller.token}` }, body: form }));
      expect(none.status).to.equal(400);
      expect((await upload(app, other, productId, await png(), 'x.png', 'image/png')).status).to.equal(404);
    });
  });

  describe('reordering and deleting photos', () => {
    it('should put photos in the given order, refuse an incomplete list, and delete one with its objects', async () => {
      const cats = await categories(app);
      const product = await createProduct(app, seller, { title: 'Vas Gerabah', categoryId: cats.fesyen, variants: [{ options: {}, price: 1, stock: 1 }] });
      const a = (await upload(app, seller, product.id, await png(100, 100), 'a.png', 'image/png')).body;
      const b = (await upload(app, seller, product.id, await png(120, 100), 'b.png', 'image/png')).body;

      const reordered = await app.request('PUT', `/seller/products/${product.id}/images/order`, { token: seller.token, body: { imageIds: [b.id, a.id] } });
      expect(reordered.status).to.equal(200);
      expect(reordered.body.items.map((i: { id: string }) => i.id)).to.deep.equal([b.id, a.id]);
      const partial = await app.request('PUT', `/seller/products/${product.id}/images/order`, { token: seller.token, body: { imageIds: [a.id] } });
      expect(partial.status).to.equal(422);

      expect((await app.request('DELETE', `/seller/products/${product.id}/images/${b.id}`, { token: other.token })).status).to.equal(404);
      expect((await app.request('DELETE', `/seller/products/${product.id}/images/${b.id}`, { token: seller.token })).status).to.equal(204);
      expect((await fetch(b.url)).status, 'the object is gone').to.equal(404);
      expect((await fetch(a.url)).status).to.equal(200);
      const detail = await app.request('GET', `/seller/products/${product.id}`, { token: seller.token });
      expect(detail.body.images.map((i: { id: string }) => i.id)).to.deep.equal([a.id]);
    });
  });
});
