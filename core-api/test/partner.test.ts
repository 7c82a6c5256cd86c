import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';

const root = new URL('../../', import.meta.url);

describe('a partner-ready API', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ CORS_ORIGINS: 'https://toko-mitra.example, https://shop.partner.example/' });
  });
  after(async () => {
    await app?.close();
  });

  describe('CORS', () => {
    it('should let exactly the listed partner origins call with credentials, and see the headers they need', async () => {
      const preflight = await fetch(`${app.url}/checkout/quote`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.partner.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal('https://shop.partner.example');
      expect(preflight.headers.get('access-control-allow-credentials')).to.equal('true');
      expect(preflight.headers.get('access-control-allow-methods')).to.include('POST');

      const res = await fetch(`${app.url}/regions`, { headers: { origin: 'https://toko-mitra.example' } });
      expect(res.headers.get('access-control-allow-origin')).to.equal('https://toko-mitra.example');
      expect(res.headers.get('vary')).to.match(/origin/i);
      const exposed = res.headers.get('access-control-expose-headers')!.split(',').map((h) => h.trim().toLowerCase());
      expect(exposed).to.include.members(['x-request-id', 'etag', 'retry-after', 'content-language']);

      for (const origin of ['https://toko-mitra.example.evil.io', 'http://toko-mitra.example', 'https://evil.example', 'null']) {
        const refused = await fetch(`${app.url}/regions`, { headers: { origin } });
        expect(refused.headers.get('access-control-allow-origin'), origin).to.equal(null);
      }
    });

    it('should have npm start add the first-party front ends, on localhost and 127.0.0.1, to CORS_ORIGINS', () => {
      const script: string = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts.start;
      const assignment = script.match(/CORS_ORIGINS=(\S+)/)![1];
      const expand = (env: Record<string, string>) =>
        execFileSync('sh', ['-c', `printf %s "${assignment.replace(/"/g, '\\"')}"`], { env: { PATH: process.env.PATH!, ...env } }).toString().split(',');
      expect(expand({})).to.have.members(['http://localhost:4321', 'http://127.0.0.1:4321', 'http://localhost:5173', 'http://127.0.0.1:5173']);
      expect(expand({ CORS_ORIGINS: 'https://toko-mitra.example', STOREFRONT_PORT: '4400' })).to.have.members([
        'https://toko-mitra.example', 'http://localhost:4400', 'http://127.0.0.1:4400', 'http://localhost:5173', 'http://127.0.0.1:5173',
      ]);
    });
  });
});
