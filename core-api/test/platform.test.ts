import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Mailer } from '../src/platform/mail/mailer.ts';
import { AgendaScheduler } from '../src/platform/jobs/scheduler.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { createTestStorage } from './support/storage.ts';
import { required, testEnv } from './support/env.ts';

/**
 * Contract tests of the platform adapters: they run against the embedded services by default and
 * against the real servers when DATABASE_URL, S3_ENDPOINT, SMTP_URL or MONGO_URL are set.
 */
describe('platform adapters', () => {
  describe('object storage (S3 API)', () => {
    it('should store, read back, overwrite and delete an object, and know a missing one', async () => {
      const storage = await createTestStorage();
      try {
        await storage.check();
        const body = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
        await storage.put('products/a.png', body, 'image/png');
        const got = await storage.get('products/a.png');
        expect(got?.contentType).to.equal('image/png');
        expect(Buffer.compare(got!.body, body)).to.equal(0);
        expect(got?.etag).to.be.a('string');

        await storage.put('products/a.png', Buffer.from('v2'), 'text/plain');
        expect((await storage.get('products/a.png'))?.body.toString()).to.equal('v2');

        await storage.delete('products/a.png');
        expect(await storage.get('products/a.png')).to.equal(null);
        expect(await storage.get('never/was.jpg')).to.equal(null);
      } finally {
        await storage.destroy();
      }
    });
  });

  describe('mail (SMTP)', () => {
    it('should deliver an HTML and text email that arrives in the inbox', async function () {
      const mailer = new Mailer(process.env.SMTP_URL ?? required(testEnv.smtpUrl), 'Pasar <no-reply@pasar.test>');
      const subject = `Tes ${randomUUID()}`;
      try {
        await mailer.check();
        await mailer.send({ to: 'budi@pasar.test', subject, html: '<p>Halo <b>Budi</b></p>', text: 'Halo Budi' });
      } finally {
        mailer.close();
      }
      const inbox = process.env[testEnv.inboxUrl];
      if (!inbox) return; // a real SMTP server accepted it; its inbox is not ours to read
      const emails = (await (await fetch(`${inbox}/api/email`)).json()) as Array<{ subject: string; to: Array<{ address: string }>; text: string; html: string }>;
      const got = emails.find((e) => e.subject === subject);
      expect(got, 'the email reached the catcher').to.not.equal(undefined);
      expect(got!.to[0].address).to.equal('budi@pasar.test');
      expect(got!.text.trim()).to.equal('Halo Budi');
      expect(got!.html).to.include('<b>Budi</b>');
    });

    it('should fail its check when no SMTP server answers', async () => {
      const mailer = new Mailer('smtp://127.0.0.1:9', 'x@pasar.test');
      try {
        await mailer.check().then(
          () => expect.fail('check passed without a server'),
          (err: Error) => expect(err.message).to.match(/ECONNREFUSED|connect/),
        );
      } finally {
        mailer.close();
      }
    });
  });

  describe(`jobs (Agenda on ${process.env.MONGO_URL ? 'MongoDB' : 'Postgres'})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => {
      await db?.destroy();
    });

    it('should run a job once, with its data, and answer its check', async () => {
      const scheduler = await AgendaScheduler.open({ mongoUrl: process.env.MONGO_URL, databaseUrl: db.url, name: 'contract' });
      const runs: unknown[] = [];
      let ran!: () => void;
      const done = new Promise<void>((resolve) => (ran = resolve));
      scheduler.define('contract.echo', async (data) => {
        runs.push(data);
        ran();
      });
      await scheduler.start();
      try {
        await scheduler.check();
        await scheduler.now('contract.echo', { orderId: 'o-1' });
        await done;
        expect(runs).to.deep.equal([{ orderId: 'o-1' }]);
      } finally {
        await scheduler.stop();
      }
    });

    it('should list a recurring job once however often it is scheduled, and run a defined job here on demand', async () => {
      const scheduler = await AgendaScheduler.open({ mongoUrl: process.env.MONGO_URL, databaseUrl: db.url, name: 'contract' });
      const runs: unknown[] = [];
      try {
        scheduler.define('contract.tick', async (data) => void runs.push(data), { lockLifetime: 1000 });
        await scheduler.every('1 hour', 'contract.tick');
        await scheduler.every('1 hour', 'contract.tick');
        const listed = (await scheduler.list()).filter((job) => job.name === 'contract.tick');
        expect(listed).to.have.length(1);
        expect(listed[0].repeatInterval).to.equal('1 hour');
        expect(listed[0].nextRunAt).to.be.instanceOf(Date);
        // not started: nothing ran through the store, runHere runs it in this process
        expect(runs).to.deep.equal([]);
        expect(await scheduler.runHere('contract.tick', { by: 'cli' })).to.equal(true);
        expect(runs).to.deep.equal([{ by: 'cli' }]);
        expect(await scheduler.runHere('contract.nothing')).to.equal(false);
      } finally {
        await scheduler.stop();
      }
    });
  });
});
