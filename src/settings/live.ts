// The operator settings as this process currently applies them: one LiveSettings per process, kept fresh from the
// store's change channel (pub/sub, on a connection of its own) and a periodic re-read that covers a missed message
// (pub/sub is fire-and-forget across reconnects). Parts that re-apply a setting without a restart (the scrape and
// tick schedules, the send rate, concurrency and pause) subscribe to the slice they use with on().
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Settings } from './schema.js';
import type { SettingsStore } from './store.js';

interface Listener {
  select: (s: Settings) => unknown;
  apply: (value: never, settings: Settings) => void | Promise<void>;
  last: string;
}

export class LiveSettings {
  private settings: Settings;
  private text: string;
  private readonly listeners = new Set<Listener>();
  /** Changes are applied one after another, in order: a slow apply never races the next one. */
  private applying: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  private constructor(
    private readonly store: SettingsStore,
    private readonly subscriber: Redis,
    private readonly log: Logger,
    initial: Settings,
  ) {
    this.settings = initial;
    this.text = JSON.stringify(initial);
  }

  /** Read the settings and start following changes. `subscriber` must be a connection of its own (subscriber mode). */
  static async start(store: SettingsStore, subscriber: Redis, log: Logger, opts: { pollMs?: number } = {}): Promise<LiveSettings> {
    const live = new LiveSettings(store, subscriber, log, await store.get());
    await subscriber.subscribe(store.channel);
    subscriber.on('message', live.onMessage);
    subscriber.on('ready', live.refresh);
    live.timer = setInterval(live.refresh, opts.pollMs ?? 15_000);
    live.timer.unref();
    return live;
  }

  /** The settings as last read. */
  current(): Settings {
    return this.settings;
  }

  /**
   * Apply the slice `select` picks now, and again whenever it changes (compared as JSON). Resolves once the first
   * apply is done (its error rejects); later errors are logged and the slice is applied again on the next refresh.
   * Returns the function that stops following.
   */
  async on<T>(select: (s: Settings) => T, apply: (value: T, settings: Settings) => void | Promise<void>): Promise<() => void> {
    const listener: Listener = { select, apply: apply as Listener['apply'], last: '' };
    // In the same queue as the refreshes: a change read before this runs is applied by it, one read after it finds
    // the listener registered. Nothing slips in between.
    const first = this.applying.then(async () => {
      const value = select(this.settings);
      await apply(value, this.settings);
      listener.last = JSON.stringify(value);
      this.listeners.add(listener);
    });
    this.applying = first.catch(() => {});
    await first;
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stop following (the subscriber connection is closed by its owner). Waits for an apply in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('ready', this.refresh);
    this.listeners.clear();
    await this.subscriber.unsubscribe(this.store.channel).catch(() => {});
    await this.applying;
  }

  private readonly onMessage = (channel: string) => {
    if (channel === this.store.channel) this.refresh();
  };

  private readonly refresh = () => {
    if (this.stopped) return;
    this.applying = this.applying.then(async () => {
      let next: Settings;
      try {
        next = await this.store.get();
      } catch (err) {
        this.log.error({ err }, 'settings refresh failed');
        return;
      }
      const text = JSON.stringify(next);
      if (text === this.text || this.stopped) return;
      this.settings = next;
      this.text = text;
      for (const l of [...this.listeners]) {
        const value = JSON.stringify(l.select(next));
        if (value === l.last) continue;
        try {
          await l.apply(l.select(next) as never, next);
          l.last = value;
        } catch (err) {
          // Read as changed on the next pass (a poll at the latest), so this slice is applied again then.
          this.text = '';
          this.log.error({ err }, 'applying changed settings failed; trying again on the next refresh');
        }
      }
    });
  };
}
