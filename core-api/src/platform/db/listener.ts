import pg from 'pg';

type Handler = (payload: string) => void;

/**
 * One dedicated connection that LISTENs to Postgres notifications, so every replica hears the same
 * change events. While it is not connected, `connected` is false and subscribers are told through
 * `onLost` (a cache must not trust itself then); it reconnects by itself.
 */
export class PostgresListener {
  private readonly url: string;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly lost = new Set<() => void>();
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  connected = false;

  constructor(url: string) {
    this.url = url;
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    const fail = () => {
      if (this.client !== client) return;
      this.client = null;
      this.connected = false;
      for (const f of this.lost) f();
      client.end().catch(() => {});
      if (!this.stopped) this.retry = setTimeout(() => void this.start().catch(fail), 1000);
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', (n) => {
      for (const h of this.handlers.get(n.channel) ?? []) h(n.payload ?? '');
    });
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      this.connected = true;
    } catch (err) {
      fail();
      throw err;
    }
  }

  /** Subscribes to a channel; `onLost` runs whenever notifications may have been missed. */
  async listen(channel: string, handler: Handler, onLost: () => void): Promise<void> {
    const fresh = !this.handlers.has(channel);
    if (fresh) this.handlers.set(channel, new Set());
    this.handlers.get(channel)!.add(handler);
    this.lost.add(onLost);
    if (fresh && this.connected) await this.client!.query(`listen ${pg.escapeIdentifier(channel)}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.connected = false;
    await client?.end().catch(() => {});
  }
}
