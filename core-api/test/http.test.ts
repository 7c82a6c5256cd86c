import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';
import { countRows } from './support/db.ts';

describe('HTTP errors and validation', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  const problem = (res: { status: number; headers: Headers; body: any }, status: number) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body).to.include({ status });
    expect(res.body.type).to.match(/^urn:pasar:problem:/);
    expect(res.body.title).to.be.a('string');
    expect(res.body.requestId).to.equal(res.headers.get('x-request-id'));
  };

  describe('malformed input never gets a 500', () => {
    it('should answer malformed JSON with 400', async () => {
      const res = await app.request('POST', '/auth/login', { raw: '{"email": "a@b.c", ', headers: { 'content-type': 'application/json' } });
      problem(res, 400);
      expect(res.body.detail).to.match(/not valid JSON/);
    });

    it('should answer a JSON array or scalar where an object belongs with 400', async () => {
      for (const raw of ['[]', '"text"', '42', 'null']) {
        const res = await app.request('POST', '/auth/login', { raw, headers: { 'content-type': 'application/json' } });
        expect(res.status, raw).to.equal(400);
      }
    });

    it('should answer wrong types with a pointer per field', async () => {
      const res = await app.request('POST', '/auth/login', { body: { email: 42, password: ['x'] } });
      problem(res, 400);
      expect(res.body.errors).to.deep.include({ pointer: '/email', message: 'must be a string' });
      expect(res.body.errors).to.deep.include({ pointer: '/password', message: 'must be a string' });
    });

    it('should refuse unknown body fields and unknown query parameters', async () => {
      const body = await app.request('POST', '/auth/login', { body: { email: 'a@b.c', password: 'x', admin: true } });
      problem(body, 400);
      expect(body.body.errors).to.deep.equal([{ pointer: '/admin', message: 'is not a known field' }]);
      const query = await app.request('POST', '/auth/login?debug=1', { body: { email: 'a@b.c', password: 'xxxxxxxx' } });
      problem(query, 400);
      expect(query.body.errors).to.deep.equal([{ parameter: 'debug', message: 'is not a known parameter' }]);
    });

    it('should refuse a bad enum in a query parameter', async () => {
      const res = await app.request('POST', '/auth/login?refreshToken=localStorage', { body: { email: 'a@b.c', password: 'xxxxxxxx' } });
      problem(res, 400);
      expect(res.body.errors).to.deep.equal([{ parameter: 'refreshToken', message: 'must be one of: body, cookie' }]);
    });

    it('should answer a huge body with 413', async () => {
      const res = await app.request('POST', '/auth/login', { body: { email: 'a@b.c', password: 'x'.repeat(300_000) } });
      problem(res, 413);
    });

    it('should answer a body that is not JSON with 415', async () => {
      const res = await app.request('POST', '/auth/login', { raw: 'email=a@b.c', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      problem(res, 415);
    });

    it('should answer a missing body with 400', async () => {
      const res = await app.request('POST', '/auth/login');
      problem(res, 400);
      expect(res.body.errors).to.deep.equal([{ pointer: '', message: 'a request body is required' }]);
    });

    it('should answer an unknown path with 404 and a known path with the wrong method with 405', async () => {
      problem(await app.request('GET', '/nowhere'), 404);
      const res = await app.request('DELETE', '/me');
      problem(res, 405);
      expect(res.headers.get('allow')).to.include('GET');
    });
  });

  describe('CORS', () => {
    it('should let the configured browser origins call with credentials, and no other', async () => {
      const preflight = (origin: string) =>
        fetch(`${app.url}/auth/refresh`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      const allowed = await preflight('http://localhost:5173');
      expect(allowed.headers.get('access-control-allow-origin')).to.equal('http://localhost:5173');
      expect(allowed.headers.get('access-control-allow-credentials')).to.equal('true');
      const refused = await preflight('https://evil.example');
      expect(refused.headers.get('access-control-allow-origin')).to.equal(null);
    });
  });

  describe('request ids', () => {
    it('should echo a sane X-Request-Id and replace an insane one', async () => {
      const sane = await app.request('GET', '/categories', { headers: { 'x-request-id': 'partner-abc.123' } });
      expect(sane.headers.get('x-request-id')).to.equal('partner-abc.123');
      const insane = await app.request('GET', '/categories', { headers: { 'x-request-id': 'a b <script>' } });
      expect(insane.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });
  });

  describe('unexpected errors', () => {
    it('should answer 500 without leaking internals and keep the request id', async () => {
      const broken = await startTestApp();
      try {
        // a lost table is nothing the client did: the answer must not say what broke
        await broken.db.knex.raw('drop table refresh_tokens cascade');
        const res = await broken.request('POST', '/auth/register', {
          body: { email: 'rusak@pasar.test', password: 'rahasia-sekali-123', name: 'Rusak', role: 'customer' },
        });
        expect(res.status).to.equal(500);
        expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(JSON.stringify(res.body)).to.not.match(/refresh_tokens|relation|select|insert|at .*\.ts/);
        expect(res.body.requestId).to.equal(res.headers.get('x-request-id'));
        expect(await countRows(broken.db.knex, 'users', (q) => q.where({ email: 'rusak@pasar.test' })), 'the transaction rolled back').to.equal(0);
      } finally {
        await broken.close();
      }
    });
  });
});
