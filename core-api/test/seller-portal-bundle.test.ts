import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const dist = fileURLToPath(new URL('../../seller-portal/dist/', import.meta.url));
const LIMIT = 100 * 1024;

describe('the built seller portal stays light (npm test builds it first)', () => {
  it('should name scripts and modulepreloads in index.html that total under 100 kB gzipped, with uPlot and the screens loaded later', async () => {
    expect(existsSync(`${dist}index.html`), 'run `npm run build -w seller-portal` first').to.equal(true);
    const html = await readFile(`${dist}index.html`, 'utf8');
    const named = [
      ...[...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]),
      ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"|<link[^>]*href="([^"]+)"[^>]*rel="modulepreload"/g)].map((m) => m[1] ?? m[2]),
    ];
    expect(named.length, 'index.html names its entry script').to.be.greaterThan(0);
    let total = 0;
    for (const src of new Set(named)) {
      const code = await readFile(dist + src.replace(/^\//, ''));
      total += gzipSync(code, { level: 9 }).length;
      // what loads up front must not carry the chart library or the screens behind the login
      expect(code.toString(), `${src} holds uPlot`).not.to.include('u-legend');
      expect(code.toString(), `${src} holds the variants builder`).not.to.include('/images/order');
    }
    expect(total, `${named.join(', ')}: ${total} bytes gzipped`).to.be.below(LIMIT);
  });
});
