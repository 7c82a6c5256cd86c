import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { MailDev } from 'maildev';
import { freePort } from './ports.ts';

export interface EmbeddedMailHandle {
  smtpUrl: string;
  /** The web inbox; `${inboxUrl}/api/email` is its REST API. */
  inboxUrl: string;
  stop(): Promise<void>;
}

/** A local SMTP catcher with a web inbox, so every email the product sends can be read. */
export async function startEmbeddedMail(opts: { dataDir?: string; inboxPort?: number }): Promise<EmbeddedMailHandle> {
  const smtp = await freePort();
  const web = await freePort(opts.inboxPort ?? 0);
  let mailDirectory: string | undefined;
  if (opts.dataDir) {
    mailDirectory = path.join(opts.dataDir, 'mail');
    await mkdir(mailDirectory, { recursive: true });
  }
  const server = new MailDev({ smtp, web, ip: '127.0.0.1', webIp: '127.0.0.1', silent: true, mailDirectory });
  await server.start();
  return {
    smtpUrl: `smtp://127.0.0.1:${smtp}`,
    inboxUrl: `http://127.0.0.1:${web}`,
    stop: () => server.stop(),
  };
}
