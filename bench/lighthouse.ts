// Lighthouse (mobile, its default) on the production build of the storefront: home, search and a
// product page, against the API in embedded mode with the demo data. Writes bench/results/lighthouse.json
// and the table between the lighthouse markers in README.md. Run: npm run bench:lighthouse
// (after `npm run build`). A benchmark, not a test: the scores depend on the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { freePort } from '../core-api/src/platform/embedded/ports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '3' }, chromium: { type: 'string', default: '/usr/bin/chromium' } } });
const RUNS = Number(flags.runs);
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts a child and resolves once its output contains `ready`. */
function run(name: string, args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'pasar-lighthouse-'));
const apiPort = await freePort();
const storefrontPort = await freePort();
const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
console.log('starting the API in embedded mode with the demo data…');
const api = await run('api', ['core-api/src/server.ts'], { ...env, DATA_DIR: dataDir, PORT: String(apiPort) }, 'Ctrl-C stops everything');
const apiUrl = `http://127.0.0.1:${apiPort}`;
const storefront = await run(
  'storefront',
  ['storefront/dist/server/entry.mjs'],
  { ...env, NODE_ENV: 'production', PASAR_API_URL: apiUrl, HOST: '127.0.0.1', PORT: String(storefrontPort) },
  'listening',
);
const site = `http://127.0.0.1:${storefrontPort}`;
const chrome = await chromeLauncher.launch({ chromePath: flags.chromium, chromeFlags: CHROMIUM_FLAGS });

try {
  const products = await (await fetch(`${apiUrl}/products?q=kemeja&pageSize=1`)).json();
  const product = products.items[0];
  const pages = [
    { name: 'home', path: '/' },
    { name: 'search', path: '/cari?q=kemeja' },
    { name: 'product', path: `/produk/${product.slug}-${product.id}` },
  ];
  const results = [];
  for (const page of pages) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const answer = await lighthouse(site + page.path, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
      const lhr = answer!.lhr;
      runs.push({
        scores: Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c].score ?? 0) * 100)])),
        metrics: Object.fromEntries(
          ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'].map((m) => [m, lhr.audits[m].numericValue]),
        ),
        failed: CATEGORIES.flatMap((c) => lhr.categories[c].auditRefs.filter((r) => r.weight > 0 && (lhr.audits[r.id].score ?? 1) < 0.9).map((r) => r.id)),
        lighthouseVersion: lhr.lighthouseVersion,
        userAgent: lhr.environment.hostUserAgent,
      });
    }
    // the median run by performance score
    runs.sort((a, b) => a.scores.performance - b.scores.performance);
    const median = runs[Math.floor(runs.length / 2)];
    results.push({ ...page, ...median, performanceRuns: runs.map((r) => r.scores.performance) });
    console.log(page.name, median.scores, median.failed.length ? `below 0.9: ${median.failed.join(', ')}` : '');
  }

  const report = {
    date: new Date().toISOString(),
    formFactor: 'mobile (Lighthouse default: simulated throttling)',
    runsPerPage: RUNS,
    machine: { cpus: cpus().length, node: process.version },
    lighthouseVersion: results[0].lighthouseVersion,
    browser: results[0].userAgent,
    pages: results.map(({ lighthouseVersion, userAgent, ...rest }) => rest),
  };
  writeFileSync(path.join(root, 'bench/results/lighthouse.json'), JSON.stringify(report, null, 2) + '\n');

  const readmePath = path.join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- lighthouse:start -->';
  const end = '<!-- lighthouse:end -->';
  const table = [
    start,
    `Lighthouse ${report.lighthouseVersion}, mobile, production build, median of ${RUNS} runs, ${report.date.slice(0, 10)} on ${report.machine.cpus} CPUs (\`npm run bench:lighthouse\`, \`bench/results/lighthouse.json\`):`,
    '',
    '| page | performance | accessibility | best practices | SEO |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...report.pages.map((p) => `| ${p.name} (\`${p.path.replace(/-[0-9a-f-]{36}$/, "-{id}")}\`) | ${p.scores.performance} | ${p.scores.accessibility} | ${p.scores['best-practices']} | ${p.scores.seo} |`),
    end,
  ].join('\n');
  if (!readme.includes(start)) throw new Error(`README.md has no ${start} … ${end} section to fill`);
  writeFileSync(readmePath, readme.replace(new RegExp(`${start}[\\s\\S]*?${end}`), table));
  console.log('wrote bench/results/lighthouse.json and the README table');
} finally {
  await chrome.kill();
  await stop(storefront);
  await stop(api, 'SIGINT');
  rmSync(dataDir, { recursive: true, force: true });
}
