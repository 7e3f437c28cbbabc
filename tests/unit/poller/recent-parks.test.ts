import { InMemoryCheckpointStore, LeaseLostError } from '../../../lib/checkpoint';
import { notedWith, ParkedIndexLag } from '../../../lib/poller/recent-parks';

const T0 = new Date('2026-11-24T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describe('the note of recently parked keys', () => {
  it("keeps a key for the window after its park, carries the earlier runs' keys still inside it, and drops the expired ones", () => {
    const first = notedWith(undefined, ['a', 'b'], T0, 60_000, 1024);
    expect(first).toEqual({
      keys: [
        { id: 'a', until: at(60_000).toISOString() },
        { id: 'b', until: at(60_000).toISOString() },
      ],
    });
    const later = notedWith(first, ['c', 'a'], at(61_000), 60_000, 1024);
    expect(later).toEqual({
      keys: [
        { id: 'c', until: at(121_000).toISOString() },
        { id: 'a', until: at(121_000).toISOString() },
      ],
    });
  });

  it('past its size bound, gives way to one flag that covers every key for the window', () => {
    const noted = notedWith(
      { keys: [{ id: 'x', until: at(30_000).toISOString() }] },
      ['a'.repeat(50), 'b'.repeat(50)],
      T0,
      60_000,
      64,
    );
    expect(noted).toEqual({ keys: [], allUntil: at(60_000).toISOString() });
    expect(notedWith(noted, ['c'], at(1000), 60_000, 64)).toEqual({
      keys: [{ id: 'c', until: at(61_000).toISOString() }],
      allUntil: at(60_000).toISOString(),
    });
  });

  it('makes the next run unsure of the noted keys until their time, of every key under the flag, and not of a key it has read', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.acquireLease('customer', 'run-1', T0, at(60_000));
    expect(
      await checkpoints.noteRecentParks('customer', 'run-1', {
        keys: [
          { id: 'a', until: at(10_000).toISOString() },
          { id: 'b', until: at(1000).toISOString() },
        ],
      }),
    ).toBe(true);
    const lag = await ParkedIndexLag.read(checkpoints, 'customer', 'run-2', at(5000));
    expect(['a', 'b', 'c'].map((id) => lag.isUnsure(id))).toEqual([true, false, false]);
    lag.settle('a');
    expect(lag.isUnsure('a')).toBe(false);
    await checkpoints.noteRecentParks('customer', 'run-1', { keys: [], allUntil: at(10_000).toISOString() });
    expect((await ParkedIndexLag.read(checkpoints, 'customer', 'run-2', at(5000))).isUnsure('c')).toBe(true);
    expect((await ParkedIndexLag.read(checkpoints, 'customer', 'run-2', at(11_000))).isUnsure('c')).toBe(false);
  });

  it('writes the note only for keys not noted for at least half the window, and refuses to when another run holds the lease', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.acquireLease('customer', 'run-1', T0, at(60_000));
    const lag = await ParkedIndexLag.read(checkpoints, 'customer', 'run-1', T0);
    const note = jest.spyOn(checkpoints, 'noteRecentParks');
    await lag.beforePark(['a'], T0);
    await lag.beforePark(['a'], at(20_000));
    expect(note).toHaveBeenCalledTimes(1);
    await lag.beforePark(['a'], at(31_000));
    expect(note).toHaveBeenCalledTimes(2);
    await checkpoints.releaseLease('customer', 'run-1');
    await checkpoints.acquireLease('customer', 'run-2', at(32_000), at(90_000));
    await expect(lag.beforePark(['b'], at(33_000))).rejects.toBeInstanceOf(LeaseLostError);
  });
});
