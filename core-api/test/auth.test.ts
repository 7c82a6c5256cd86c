import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { purgeExpiredSessions } from '../src/modules/accounts/jobs.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { countRows } from './support/db.ts';

const PASSWORD = 'rahasia-sekali-123';
let seq = 0;
const email = (tag: string) => `${tag}.${Date.now()}.${++seq}@pasar.test`;

async function registerCustomer(app: TestApp, address = email('budi')) {
  const res = await app.request('POST', '/auth/register', {
    body: { email: address, password: PASSWORD, name: 'Budi Santoso', role: 'customer' },
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body;
}

async function registerSeller(app: TestApp, storeName = 'Toko Batik Sari') {
  const res = await app.request('POST', '/auth/register', {
    body: { email: email('sari'), password: PASSWORD, name: 'Sari', role: 'seller', store: { name: storeName, location: 'Yogyakarta' } },
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body;
}

describe('accounts and auth', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  describe('POST /auth/register', () => {
    it('should create a customer and sign them in', async () => {
      const address = email('ani');
      const body = await registerCustomer(app, address);
      expect(body.user).to.include({ email: address, name: 'Budi Santoso', role: 'customer', locale: 'id' });
      expect(body.tokenType).to.equal('Bearer');
      expect(body.refreshToken).to.be.a('string').with.length.above(30);
      expect(body.store).to.equal(undefined);
      const me = await app.request('GET', '/me', { token: body.accessToken });
      expect(me.status).to.equal(200);
      expect(me.body.user.id).to.equal(body.user.id);
    });

    it('should open a store with a unique slug for every seller', async () => {
      const first = await registerSeller(app, 'Kopi Gayo Jaya');
      const second = await registerSeller(app, 'Kopi Gayo Jaya');
      expect(first.store).to.include({ name: 'Kopi Gayo Jaya', slug: 'kopi-gayo-jaya', location: 'Kota Yogyakarta', cityCode: '34.71', timezone: 'Asia/Jakarta' });
      expect(second.store.slug).to.equal('kopi-gayo-jaya-2');
    });

    it('should refuse a seller without a store, pointing at /store', async () => {
      const res = await app.request('POST', '/auth/register', {
        body: { email: email('x'), password: PASSWORD, name: 'X', role: 'seller' },
      });
      expect(res.status).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.body.errors).to.deep.include({ pointer: '/store', message: 'is required' });
    });

    it('should refuse a store on a customer account', async () => {
      const res = await app.request('POST', '/auth/register', {
        body: { email: email('x'), password: PASSWORD, name: 'X', role: 'customer', store: { name: 'Toko', location: 'Bandung' } },
      });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ pointer: '/store', message: 'only sellers open a store' }]);
    });

    it('should treat email as unique whatever its case (409)', async () => {
      const address = email('Rina');
      await registerCustomer(app, address);
      const res = await app.request('POST', '/auth/register', {
        body: { email: address.toUpperCase(), password: PASSWORD, name: 'Rina', role: 'customer' },
      });
      expect(res.status).to.equal(409);
      expect(res.body.errors).to.deep.equal([{ pointer: '/email', message: 'is already registered' }]);
      expect(await countRows(app.db.knex, 'users', (q) => q.whereRaw('lower(email) = ?', [address.toLowerCase()]))).to.equal(1);
    });

    it('should say what is wrong with a weak password', async () => {
      const short = await app.request('POST', '/auth/register', {
        body: { email: email('x'), password: 'pendek', name: 'X', role: 'customer' },
      });
      expect(short.status).to.equal(400);
      expect(short.body.errors).to.deep.equal([{ pointer: '/password', message: 'must be at least 8 characters long' }]);

      const address = email('same');
      const same = await app.request('POST', '/auth/register', {
        body: { email: address, password: address.toUpperCase(), name: 'X', role: 'customer' },
      });
      expect(same.status).to.equal(400);
      expect(same.body.errors).to.deep.equal([{ pointer: '/password', message: 'must not be your email address' }]);
    });

    it('should name every invalid field at once', async () => {
      const res = await app.request('POST', '/auth/register', {
        body: { email: 'not-an-email', password: 12345678, role: 'admin', nickname: 'x' },
      });
      expect(res.status).to.equal(400);
      const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer).sort();
      expect(pointers).to.deep.equal(['/email', '/name', '/nickname', '/password', '/role']);
    });

    it('should write nothing when registration fails', async () => {
      const before = await countRows(app.db.knex, 'users');
      await app.request('POST', '/auth/register', { body: { email: email('x'), password: 'x', name: 'X', role: 'seller' } });
      expect(await countRows(app.db.knex, 'users')).to.equal(before);
    });
  });

  describe('POST /auth/login', () => {
    it('should sign in with the right password, whatever the email case', async () => {
      const address = email('Dewi');
      await registerCustomer(app, address);
      const res = await app.request('POST', '/auth/login', { body: { email: address.toUpperCase(), password: PASSWORD } });
      expect(res.status).to.equal(200);
      expect(res.body.user.email).to.equal(address);
    });

    it('should answer a wrong email and a wrong password the same way', async () => {
      const address = email('eko');
      await registerCustomer(app, address);
      const wrongPassword = await app.request('POST', '/auth/login', { body: { email: address, password: 'salah-salah-salah' } });
      const unknownEmail = await app.request('POST', '/auth/login', { body: { email: email('nobody'), password: PASSWORD } });
      expect(wrongPassword.status).to.equal(401);
      expect(unknownEmail.status).to.equal(401);
      const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
      expect(strip(wrongPassword.body)).to.deep.equal(strip(unknownEmail.body));
    });

    it('should issue access tokens that live at most 15 minutes', async () => {
      const body = await registerCustomer(app);
      const claims = jwt.decode(body.accessToken) as { iat: number; exp: number };
      expect(claims.exp - claims.iat).to.be.at.most(900);
      expect(body.expiresIn).to.equal(claims.exp - claims.iat);
    });
  });

  describe('login rate limit', () => {
    let limited: TestApp;
    before(async () => {
      // a test server trusts loopback proxies, so X-Forwarded-For names a distinct client per request
      // a short account window keeps the owner's wait short; long enough that a burst fits inside it on a busy machine
      limited = await startTestApp({ LOGIN_LIMIT_PER_IP: '12', LOGIN_LIMIT_ACCOUNT_WINDOW_SECONDS: '6' });
    });
    after(async () => {
      await limited?.close();
    });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const login = (address: string, password: string, ip: string) =>
      limited.request('POST', '/auth/login', { body: { email: address, password }, headers: from(ip) });

    it('should evaluate at most 10 of 40 concurrent wrong passwords from 40 addresses, refusing the rest with 429', async () => {
      const address = email('paralel');
      await registerCustomer(limited, address);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login(address, `salah-tebakan-${i}`, `198.51.100.${i + 1}`)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).to.be.at.most(10);
      expect(statuses.filter((s) => s === 429).length).to.be.at.least(30);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).to.deep.equal([]);
      for (const r of results.filter((r) => r.status === 429)) {
        expect(Number(r.headers.get('retry-after'))).to.be.within(1, 6);
        expect(r.headers.get('ratelimit')).to.match(/^limit=\d+, remaining=0, reset=\d+$/);
        expect(r.headers.get('ratelimit-policy')).to.match(/^\d+;w=\d+$/);
      }
    });

    it('should let the owner in from another address, at once or after Retry-After, while the guesser stays locked out', async () => {
      const address = email('pemilik');
      await registerCustomer(limited, address);
      for (let i = 0; i < 10; i++) expect((await login(address, 'salah-lagi-123', '203.0.113.7')).status).to.equal(401);
      let owner = await login(address, PASSWORD, '192.0.2.44');
      if (owner.status === 429) {
        const wait = Number(owner.headers.get('retry-after'));
        expect(wait, 'at most the account window').to.be.within(1, 6);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        owner = await login(address, PASSWORD, '192.0.2.44');
      }
      expect(owner.status).to.equal(200);
      const guesser = await login(address, PASSWORD, '203.0.113.7');
      expect(guesser.status, 'even the right password from the guessing address').to.equal(429);
      expect(Number(guesser.headers.get('retry-after'))).to.be.within(1, 900);
    });

    it('should limit attempts per client address across accounts', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 13; i++) statuses.push((await login(email('acak'), 'whatever-123', '198.18.0.9')).status);
      expect(statuses).to.deep.equal([...Array(12).fill(401), 429]);
      expect((await login(email('acak'), 'whatever-123', '198.18.0.10')).status, 'another address is counted apart').to.equal(401);
    });
  });

  describe('client address', () => {
    it('should ignore X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      const direct = await startTestApp({ TRUSTED_PROXIES: '10.9.9.9', LOGIN_LIMIT_PER_IP: '3' });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await direct.request('POST', '/auth/login', { body: { email: email('spoof'), password: 'whatever-123' }, headers: { 'x-forwarded-for': `198.51.100.${i}` } });
          statuses.push(res.status);
        }
        expect(statuses, 'one client however it names itself').to.deep.equal([401, 401, 401, 429]);
      } finally {
        await direct.close();
      }
    });
  });

  describe('POST /auth/register limit', () => {
    it('should allow REGISTER_LIMIT_PER_IP registrations per address per 10 minutes', async () => {
      const small = await startTestApp({ REGISTER_LIMIT_PER_IP: '3' });
      try {
        const register = (ip: string) =>
          small.request('POST', '/auth/register', { body: { email: email('massal'), password: PASSWORD, name: 'Massal', role: 'customer' }, headers: { 'x-forwarded-for': ip } });
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await register('198.51.100.77')).status);
        expect(statuses).to.deep.equal([201, 201, 201, 429]);
        expect((await register('198.51.100.78')).status).to.equal(201);
        expect(await countRows(small.db.knex, 'users')).to.equal(4);
      } finally {
        await small.close();
      }
    });
  });

  describe('POST /auth/refresh', () => {
    it('should rotate: a new pair, and the old refresh token stops working', async () => {
      const session = await registerCustomer(app);
      const next = await app.request('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(next.status).to.equal(200);
      expect(next.body.refreshToken).to.be.a('string').and.not.equal(session.refreshToken);
      expect((await app.request('GET', '/me', { token: next.body.accessToken })).status).to.equal(200);

      await app.db.knex('refreshTokens').where({ userId: session.user.id }).whereNotNull('usedAt').update({ usedAt: app.db.knex.raw("now() - interval '11 seconds'") });
      const again = await app.request('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(again.status, 'after the grace window').to.equal(401);
    });

    it('should revoke the whole family when a used token comes back after the grace window, and only that family', async () => {
      const address = email('gita');
      const first = await registerCustomer(app, address);
      const otherDevice = await app.request('POST', '/auth/login', { body: { email: address, password: PASSWORD } });
      const second = await app.request('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
      expect(second.status).to.equal(200);
      // the rotation happened 11 s ago
      await app.db.knex('refreshTokens').where({ userId: first.user.id }).whereNotNull('usedAt').update({ usedAt: app.db.knex.raw("now() - interval '11 seconds'") });

      const stolen = await app.request('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
      expect(stolen.status).to.equal(401);
      expect(stolen.body.detail).to.match(/already used/);

      const legit = await app.request('POST', '/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
      expect(legit.status, 'the descendant is revoked too').to.equal(401);
      const elsewhere = await app.request('POST', '/auth/refresh', { body: { refreshToken: otherDevice.body.refreshToken } });
      expect(elsewhere.status, 'another login is another family').to.equal(200);
    });

    it('should give two tabs refreshing the same token at once the same new pair, and keep the session', async () => {
      const session = await registerCustomer(app);
      const results = await Promise.all([0, 1].map(() => app.request('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } })));
      expect(results.map((r) => r.status)).to.deep.equal([200, 200]);
      expect(results[0].body.refreshToken).to.equal(results[1].body.refreshToken);
      expect(results[0].body.accessToken).to.equal(results[1].body.accessToken);
      expect((await app.request('GET', '/me', { token: results[1].body.accessToken })).status).to.equal(200);
      const next = await app.request('POST', '/auth/refresh', { body: { refreshToken: results[1].body.refreshToken } });
      expect(next.status, 'the new token still rotates').to.equal(200);
    });

    it('should answer the same pair to a token presented again within 10 s of its rotation', async () => {
      const session = await registerCustomer(app);
      const first = await app.request('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
      const again = await app.request('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(again.status).to.equal(200);
      expect(again.body.refreshToken).to.equal(first.body.refreshToken);
      expect(again.body.accessToken).to.equal(first.body.accessToken);
    });

    it('should refuse an unknown token and a missing one', async () => {
      expect((await app.request('POST', '/auth/refresh', { body: { refreshToken: 'nope' } })).status).to.equal(401);
      const missing = await app.request('POST', '/auth/refresh', { body: {} });
      expect(missing.status).to.equal(400);
      expect(missing.body.errors).to.deep.equal([{ pointer: '/refreshToken', message: 'is required' }]);
    });
  });

  describe('refresh token as an httpOnly cookie', () => {
    it('should keep the refresh token out of the body and rotate it through the cookie', async () => {
      const address = email('hana');
      await registerCustomer(app, address);
      const login = await app.request('POST', '/auth/login?refreshToken=cookie', { body: { email: address, password: PASSWORD } });
      expect(login.status).to.equal(200);
      expect(login.body).to.not.have.property('refreshToken');
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).to.match(/^pasar_refresh=[^;]+;/);
      expect(cookie.toLowerCase()).to.include('httponly').and.include('samesite=strict').and.include('path=/auth');

      const pair = cookie.split(';')[0];
      const refreshed = await app.request('POST', '/auth/refresh', { headers: { cookie: pair } });
      expect(refreshed.status).to.equal(200);
      expect(refreshed.body).to.not.have.property('refreshToken');
      const rotated = refreshed.headers.get('set-cookie')!.split(';')[0];
      expect(rotated).to.not.equal(pair);

      const logout = await app.request('POST', '/auth/logout', { headers: { cookie: rotated } });
      expect(logout.status).to.equal(204);
      expect(logout.headers.get('set-cookie')).to.match(/pasar_refresh=;/);
      expect((await app.request('POST', '/auth/refresh', { headers: { cookie: rotated } })).status).to.equal(401);
    });
  });

  describe('POST /auth/logout', () => {
    it('should end the session and accept a second logout', async () => {
      const session = await registerCustomer(app);
      expect((await app.request('POST', '/auth/logout', { body: { refreshToken: session.refreshToken } })).status).to.equal(204);
      expect((await app.request('POST', '/auth/logout', { body: { refreshToken: session.refreshToken } })).status).to.equal(204);
      expect((await app.request('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } })).status).to.equal(401);
    });
  });

  describe('GET /me', () => {
    it('should refuse a missing, forged or expired access token', async () => {
      const session = await registerCustomer(app);
      expect((await app.request('GET', '/me')).status).to.equal(401);
      const forged = jwt.sign({ sub: session.user.id, role: 'seller', sid: 'x' }, 'another-secret', { issuer: 'pasar', audience: 'pasar-api' });
      expect((await app.request('GET', '/me', { token: forged })).status).to.equal(401);
      const expired = jwt.sign({ sub: session.user.id, role: 'customer', sid: 'x', exp: Math.floor(Date.now() / 1000) - 60 }, app.config.auth.jwtSecret, {
        issuer: 'pasar',
        audience: 'pasar-api',
      });
      const res = await app.request('GET', '/me', { token: expired });
      expect(res.status).to.equal(401);
      expect(res.body.detail).to.match(/expired/);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
    });

    it('should include the store for sellers', async () => {
      const seller = await registerSeller(app, 'Kriya Nusantara');
      const me = await app.request('GET', '/me', { token: seller.accessToken });
      expect(me.body.store).to.include({ name: 'Kriya Nusantara', slug: 'kriya-nusantara' });
    });
  });

  describe('PATCH /me', () => {
    it('should change the name, language and store details, keeping the slug', async () => {
      const seller = await registerSeller(app, 'Tenun Ikat Sumba');
      const res = await app.request('PATCH', '/me', {
        token: seller.accessToken,
        body: { name: 'Sari Dewi', locale: 'en', store: { name: 'Tenun Ikat Sumba Asli', cityCode: '53.11', description: 'Tenun tangan' } },
      });
      expect(res.status).to.equal(200);
      expect(res.body.user).to.include({ name: 'Sari Dewi', locale: 'en' });
      expect(res.body.store).to.include({ name: 'Tenun Ikat Sumba Asli', location: 'Kabupaten Sumba Timur', cityCode: '53.11', province: 'Nusa Tenggara Timur', slug: 'tenun-ikat-sumba', description: 'Tenun tangan' });
    });

    it('should refuse store fields from a customer and an empty patch', async () => {
      const customer = await registerCustomer(app);
      const store = await app.request('PATCH', '/me', { token: customer.accessToken, body: { store: { location: 'Medan' } } });
      expect(store.status).to.equal(400);
      expect(store.body.errors).to.deep.equal([{ pointer: '/store', message: 'only sellers have a store' }]);
      expect((await app.request('PATCH', '/me', { token: customer.accessToken, body: {} })).status).to.equal(400);
    });
  });

  describe('POST /me/password', () => {
    it('should refuse a wrong current password', async () => {
      const session = await registerCustomer(app);
      const res = await app.request('POST', '/me/password', {
        token: session.accessToken,
        body: { currentPassword: 'bukan-ini-123', newPassword: 'password-baru-456' },
      });
      expect(res.status).to.equal(422);
      expect(res.body.errors).to.deep.equal([{ pointer: '/currentPassword', message: 'is not your current password' }]);
    });

    it('should change the password and sign out every other session, keeping this one', async () => {
      const address = email('indra');
      const here = await registerCustomer(app, address);
      const elsewhere = await app.request('POST', '/auth/login', { body: { email: address, password: PASSWORD } });
      const res = await app.request('POST', '/me/password', {
        token: here.accessToken,
        body: { currentPassword: PASSWORD, newPassword: 'password-baru-456' },
      });
      expect(res.status).to.equal(204);
      expect((await app.request('POST', '/auth/refresh', { body: { refreshToken: elsewhere.body.refreshToken } })).status).to.equal(401);
      expect((await app.request('POST', '/auth/refresh', { body: { refreshToken: here.refreshToken } })).status).to.equal(200);
      expect((await app.request('POST', '/auth/login', { body: { email: address, password: PASSWORD } })).status).to.equal(401);
      expect((await app.request('POST', '/auth/login', { body: { email: address, password: 'password-baru-456' } })).status).to.equal(200);
    });
  });

  describe('role guard', () => {
    it('should let sellers, and only sellers, reach seller routes', async () => {
      const customer = await registerCustomer(app);
      const seller = await registerSeller(app, 'Anyaman Bambu');
      const refused = await app.request('GET', '/seller/store', { token: customer.accessToken });
      expect(refused.status).to.equal(403);
      expect(refused.body.detail).to.match(/seller/);
      const allowed = await app.request('GET', '/seller/store', { token: seller.accessToken });
      expect(allowed.status).to.equal(200);
      expect(allowed.body.slug).to.equal('anyaman-bambu');
      expect((await app.request('GET', '/seller/store')).status).to.equal(401);
    });
  });

  describe('typed client', () => {
    it('should register and read /me through the generated client', async () => {
      const { data, error } = await app.client.POST('/auth/register', {
        body: { email: email('klien'), password: PASSWORD, name: 'Klien', role: 'customer', locale: 'en' },
      });
      expect(error).to.equal(undefined);
      const me = await app.client.GET('/me', { headers: { authorization: `Bearer ${data!.accessToken}` } });
      expect(me.data?.user.locale).to.equal('en');
    });
  });

  describe('the daily purge of expired sessions', () => {
    it('should delete refresh tokens expired over a week ago and spent rate-limit counters, keeping the rest', async () => {
      const { user } = await registerCustomer(app);
      const now = new Date();
      const tag = `${Date.now()}.${++seq}`;
      const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
      await app.db.knex('refreshTokens').insert([
        { userId: user.id, familyId: user.id, tokenHash: `old-${tag}`, expiresAt: daysAgo(8) },
        { userId: user.id, familyId: user.id, tokenHash: `recent-${tag}`, expiresAt: daysAgo(6) },
      ]);
      await app.db.knex('rateLimits').insert([
        { key: `spent-${tag}`, points: 1, expire: now.getTime() - 1 },
        { key: `running-${tag}`, points: 1, expire: now.getTime() + 60_000 },
      ]);
      const purged = await purgeExpiredSessions(app.db.knex, now);
      expect(purged.tokens).to.be.at.least(1);
      expect(purged.counters).to.be.at.least(1);
      const left = async (table: string, column: string) => (await app.db.knex(table).where(column, 'like', `%-${tag}`).select(column)).map((r) => r[column]);
      expect(await left('refreshTokens', 'tokenHash')).to.deep.equal([`recent-${tag}`]);
      expect(await left('rateLimits', 'key')).to.deep.equal([`running-${tag}`]);
      expect(await countRows(app.db.knex, 'refresh_tokens', (q) => q.where({ userId: user.id })), 'the sign-up session stays').to.equal(2);
    });
  });
});
