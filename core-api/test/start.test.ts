import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { freePort } from '../src/platform/embedded/ports.ts';

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const OVERRIDES = ['DATABASE_URL', 'S3_ENDPOINT', 'SMTP_URL', 'MONGO_URL', 'MEILI_URL', 'JWT_SECRET', 'NODE_ENV'];

interface Running {
  child: ChildProcess;
  output: string;
}

/** `npm start` as a user runs it: nothing configured but where the data lives and the port. */
async function start(dataDir: string, port: number): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  for (const name of OVERRIDES) delete env[name];
  const child = spawn(process.execPath, [server], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { child, output: '' };
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      running.output += chunk.toString();
      if (running.output.includes('Ctrl-C stops everything')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it was up:\n${running.output}`)));
  });
  return running;
}

async function stop(running: Running): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
  running.child.kill('SIGINT');
  return exited;
}

describe('npm start (embedded mode)', function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pasar-start-'));
  let port: number;
  let base: string;

  before(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  });

  it('should come up with every health check ok, the demo data and a readable inbox, and stop cleanly on Ctrl-C', async () => {
    const running = await start(dataDir, port);
    try {
      expect(running.output).to.include('/docs').and.include('batik@pasar.test').and.include('pasar-demo-123').and.include('loaded on this first start');
      const health = await (await fetch(`${base}/health`)).json();
      expect(health.status, JSON.stringify(health)).to.equal('ok');

      const login = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'batik@pasar.test', password: 'pasar-demo-123' }),
      });
      expect(login.status).to.equal(200);
      expect((await login.json()).store.location).to.be.a('string');

      const inbox = running.output.match(/Email inbox\s+(\S+)/)![1];
      const emails = await fetch(`${inbox}/api/email`);
      expect(emails.status).to.equal(200);
      expect(await emails.json()).to.be.an('array');
    } finally {
      expect(await stop(running)).to.equal(0);
    }
  });

  it('should keep the data on a second start and not seed it again', async () => {
    const running = await start(dataDir, port);
    try {
      expect(running.output).to.include('kept from an earlier start');
      const login = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'budi@pasar.test', password: 'pasar-demo-123' }),
      });
      expect(login.status).to.equal(200);
      const categories = await (await fetch(`${base}/categories`)).json();
      expect(categories.items.length).to.be.above(10);
    } finally {
      expect(await stop(running)).to.equal(0);
    }
  });
});
