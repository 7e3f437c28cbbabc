import { readAhead } from '../../../lib/source';

function source(log: string[], failAt?: number, slowMs = 5): AsyncGenerator<number> {
  return (async function* pages() {
    for (let n = 1; n <= 3; n += 1) {
      log.push(`fetch ${n}`);
      await new Promise((r) => setTimeout(r, n === 1 ? 5 : slowMs));
      if (n === failAt) throw new Error(`page ${n} failed`);
      yield n;
    }
  })();
}

describe('readAhead', () => {
  it('fetches the next page while the caller handles the current one, in order', async () => {
    const log: string[] = [];
    for await (const page of readAhead(source(log))) {
      log.push(`handle ${page}`);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(log).toEqual(['fetch 1', 'fetch 2', 'handle 1', 'fetch 3', 'handle 2', 'handle 3']);
  });

  it('raises a failed page ahead when the caller asks for it, after handing it the pages before', async () => {
    const handled: number[] = [];
    const run = async (): Promise<void> => {
      for await (const page of readAhead(source([], 2))) handled.push(page);
    };
    await expect(run()).rejects.toThrow('page 2 failed');
    expect(handled).toEqual([1]);
  });

  it('lets the caller stop early without waiting for the page in flight', async () => {
    const handled: number[] = [];
    const started = Date.now();
    for await (const page of readAhead(source([], undefined, 1000))) {
      handled.push(page);
      break;
    }
    expect(handled).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(500); // page 2 takes 1 s to arrive
  });
});
