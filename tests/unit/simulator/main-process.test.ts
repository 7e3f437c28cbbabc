import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const TOKEN = 'never-log-me-7d2a';

/** Resolves with the first stdout line matching `predicate`, collecting every line into `lines`. */
function lineMatching(
  child: ChildProcessWithoutNullStreams,
  lines: string[],
  predicate: (line: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = createInterface({ input: child.stdout });
    reader.on('line', (line) => {
      lines.push(line);
      if (predicate(line)) resolve(line);
    });
    child.once('exit', (code) =>
      reject(new Error(`simulator exited with ${code} before the expected line; stdout: ${lines.join('\n')}`)),
    );
  });
}

describe('simulator process (local/simulator/main.ts)', () => {
  test('logs one JSON line per request without the token, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/simulator/main.ts', '--port', '0', '--events', '20', '--token', TOKEN],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CDC_SOURCE_URL: 'http://127.0.0.1:0' },
      },
    );
    const lines: string[] = [];
    try {
      const listening = JSON.parse(
        await lineMatching(child, lines, (line) => line.includes('simulator listening')),
      ) as { url: string };
      const authorization = { authorization: `Bearer ${TOKEN}` };
      await (
        await fetch(`${listening.url}/cdc?entity=customer&updatedSince=2026-01-01T00:00:00.000Z`, {
          headers: authorization,
        })
      ).text();
      await (await fetch(`${listening.url}/health`)).text();

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];

      const logged = lines.map((line) => JSON.parse(line) as { msg: string; path?: string });
      expect(code).toBe(0);
      expect(logged.filter((line) => line.msg === 'request').map((line) => line.path)).toEqual(['/cdc', '/health']);
      expect(lines.join('\n')).not.toContain(TOKEN);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
