import os from 'node:os';
import { createInterface } from 'node:readline/promises';

/** What a command reads and writes, so tests can play the terminal. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdin is a terminal someone can answer on. */
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
}

export function processIo(): CommandIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interactive: process.stdin.isTTY === true,
    ask: async (question) => {
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await prompt.question(question);
      } finally {
        prompt.close();
      }
    },
  };
}

/** Who runs a command, as recorded on what it changes (`ops-replay by alice@host`). */
export function operatorId(command: string): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // Some containers run as a uid with no passwd entry: the command still runs.
  }
  return `${command} by ${user}@${os.hostname()}`;
}
