const TICK_MS = 100;

/**
 * Generates changes continuously at `rate` per second (fractions carry over between
 * ticks). Its timer is unref'd: the HTTP server, not the feed, keeps a process alive.
 */
export class LiveFeed {
  private timer: NodeJS.Timeout | undefined;
  private owed = 0;
  private lastTickAt = 0;
  private rate = 0;

  constructor(private readonly generate: (count: number) => void) {}

  setRate(rate: number): void {
    this.rate = rate;
    if (rate > 0 && this.timer === undefined) this.start();
    if (rate <= 0) this.stop();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.owed = 0;
  }

  private start(): void {
    this.lastTickAt = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    this.owed += (this.rate * (now - this.lastTickAt)) / 1000;
    this.lastTickAt = now;
    const due = Math.floor(this.owed);
    this.owed -= due;
    if (due > 0) this.generate(due);
  }
}
