import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';

describe('GET /health', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  it('should report every check ok against the real services', async () => {
    const res = await app.request('GET', '/health');
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('ok');
    for (const name of ['db', 'storage', 'mail', 'jobs', 'search']) {
      expect(res.body.checks[name].status, name).to.equal('ok');
    }
    expect(res.body.checks.search.backend).to.equal(process.env.MEILI_URL ? 'meilisearch' : 'postgres');
  });

  it('should answer a burst of calls from one run of the checks, at most 2 s old', async () => {
    const checks = app.platform.checks;
    const real = checks.db;
    let runs = 0;
    checks.db = async () => {
      runs++;
      await real();
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, 2100)); // the first test's answer is now too old
      const burst = await Promise.all(Array.from({ length: 30 }, () => app.request('GET', '/health')));
      expect(burst.map((r) => r.status)).to.deep.equal(Array(30).fill(200));
      expect(runs, 'one run for the whole burst').to.equal(1);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await app.request('GET', '/health')).status).to.equal(200);
      expect(runs, 'checked again once the answer was 2 s old').to.equal(2);
    } finally {
      checks.db = real;
    }
  });

  it('should answer 503 naming the failing part when a service is down, without saying why', async () => {
    // nothing listens on port 9 of the loopback: the mail check must fail, the others stay ok
    const broken = await startTestApp({ SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      const res = await broken.request('GET', '/health');
      expect(res.status).to.equal(503);
      expect(res.body.status).to.equal('failing');
      expect(res.body.checks.mail.status).to.equal('failing');
      expect(res.body.checks.db.status).to.equal('ok');
      expect(JSON.stringify(res.body)).to.not.match(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await broken.close();
    }
  });

  it('should fail the storage check when the bucket is gone', async () => {
    const broken = await startTestApp({ S3_BUCKET: 'no-such-bucket-here' });
    try {
      const res = await broken.request('GET', '/health');
      expect(res.status).to.equal(503);
      expect(res.body.checks.storage.status).to.equal('failing');
    } finally {
      await broken.close();
    }
  });
});
