import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { seedDemo } from '../../seeds/demo.ts';
import { freePort } from '../src/platform/embedded/ports.ts';
import { startTestApp, type TestApp } from './support/app.ts';

const entry = fileURLToPath(new URL('../../storefront/dist/server/entry.mjs', import.meta.url));

describe('the built storefront (npm test builds it first)', () => {
  let app: TestApp;
  let server: ChildProcess;
  let url: string;

  before(async function () {
    this.timeout(60_000);
    expect(existsSync(entry), 'run `npm run build -w storefront` first').to.equal(true);
    app = await startTestApp();
    await seedDemo({ knex: app.db.knex, storage: app.platform.storage });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [entry], { env: { ...process.env, PASAR_API_URL: app.url, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening')) resolve();
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.once('exit', (code) => reject(new Error(`storefront exited with ${code}:\n${output}`)));
    });
  });
  after(async () => {
    server?.kill();
    await app?.close();
  });

  it('should render the home page with the newest products and the categories from the API', async () => {
    const res = await fetch(url);
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.include('Mau cari apa hari ini?');
    expect(html).to.include('Produk terbaru');
    expect(html).to.include('Dudukan Ponsel Kayu Jati');
    expect(html).to.include('Rp 55.000');
    expect(html).to.include('Makanan &amp; Minuman');
  });
});
