/**
 * What the demo shows while it runs: one line per step, and under it one live line of counters
 * (rewritten in place on a terminal, printed every 15 s otherwise). Everything else
 * (stack output, every function log line) goes to the log file.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export class Progress {
  private readonly file: WriteStream;
  private readonly tty: boolean;
  private timer: NodeJS.Timeout | undefined;
  private live: (() => string) | undefined;
  private liveShown = false;
  private lastPrinted = 0;
  private readonly started = Date.now();
  private stepStarted = Date.now();

  constructor(
    readonly logPath: string,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    mkdirSync(path.dirname(logPath), { recursive: true });
    this.file = createWriteStream(logPath, { flags: 'w' });
    this.tty = Boolean(out.isTTY) && process.env.CI === undefined;
  }

  /** A line for the log file only. */
  log = (line: string): void => {
    this.file.write(`${new Date().toISOString()} ${line}\n`);
  };

  /** Starts a step: ends the previous step's live line, prints the step's title. */
  step(title: string, live?: () => string): void {
    this.finishLive();
    this.stepStarted = Date.now();
    this.say(`▸ ${title}`);
    this.live = live;
    if (live) {
      this.timer = setInterval(() => this.render(), this.tty ? 250 : 1000);
      this.timer.unref();
    }
  }

  /** A line on the screen (and in the log). */
  say(line: string): void {
    this.clearLive();
    this.out.write(`${line}\n`);
    this.log(line);
    this.render();
  }

  elapsed(): string {
    return seconds(Date.now() - this.started);
  }

  stepElapsed(): string {
    return seconds(Date.now() - this.stepStarted);
  }

  finish(): Promise<void> {
    this.finishLive();
    return new Promise((resolve) => this.file.end(resolve));
  }

  private render(): void {
    if (!this.live) return;
    const text = `  ${this.live()}  (${this.stepElapsed()})`;
    if (this.tty) {
      this.out.write(`\r\x1b[K${text.slice(0, (this.out.columns ?? 120) - 1)}`);
      this.liveShown = true;
    } else if (Date.now() - this.lastPrinted >= 15_000) {
      this.out.write(`${text}\n`);
      this.lastPrinted = Date.now();
    }
  }

  private clearLive(): void {
    if (this.tty && this.liveShown) this.out.write('\r\x1b[K');
    this.liveShown = false;
  }

  private finishLive(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) {
      const last = `  ${this.live()}  (${this.stepElapsed()})`;
      this.clearLive();
      this.out.write(`${last}\n`);
      this.log(last);
    }
    this.live = undefined;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
