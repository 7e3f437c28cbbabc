import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STACK_DIR } from '../../stage/paths';

/**
 * serverless-esbuild builds every `sls package` and `sls invoke local` in the one .esbuild/ folder
 * and removes it when done, so two at once break each other. The integration files run in two
 * Jest workers (processes): a file that runs sls holds this lock around each run. A directory,
 * because mkdir either creates it or fails, atomically.
 */
const LOCK = path.join(STACK_DIR, 'esbuild-folder.lock');
const OWNER = path.join(LOCK, 'pid');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryTake(): Promise<boolean> {
  try {
    await mkdir(LOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await writeFile(OWNER, String(process.pid));
  return true;
}

/** Waits until this process alone may build in .esbuild/; call the returned function to let go. */
export async function holdEsbuildFolder(timeoutMs: number): Promise<() => Promise<void>> {
  await mkdir(STACK_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (!(await tryTake())) {
    const owner = Number(await readFile(OWNER, 'utf8').catch(() => '0'));
    // A worker that ended while holding it (Jest killed it) never lets go.
    if (owner > 0 && !isRunning(owner)) await rm(LOCK, { recursive: true, force: true });
    else if (Date.now() > deadline)
      throw new Error(`.esbuild/ still held by process ${owner} after ${timeoutMs / 1000} s (${LOCK})`);
    else await sleep(200);
  }
  return () => rm(LOCK, { recursive: true, force: true });
}
