import {
  START_OF_TIME,
  advance,
  type Lookback,
  type Position,
  type Progress,
  readFrom,
  seenBefore,
} from '../../../lib/checkpoint';

const at = (second: number): string => new Date(Date.UTC(2026, 10, 24, 10, 0, second)).toISOString();
const done = (second: number, eventId: string): Progress => ({ updatedAt: at(second), eventId, handedOff: true });
const LOOKBACK: Lookback = { lookbackMs: 10_000, maxIds: 8000 };

describe('the lookback window of a checkpoint (late commits)', () => {
  it('reads again from lookback before the watermark, never before the start of time, and from the watermark when off', () => {
    const position: Position = { updatedAt: at(30), eventIdsAtUpdatedAt: [] };
    expect(readFrom(position, 10_000)).toBe(at(20));
    expect(readFrom(position, 0)).toBe(at(30));
    expect(readFrom(START_OF_TIME, 10_000)).toBe(START_OF_TIME.updatedAt);
  });

  it('records what was handed off behind the watermark within the lookback, and skips exactly that when read again', () => {
    const position = advance(START_OF_TIME, [done(1, 'a'), done(5, 'b'), done(12, 'c'), done(15, 'd')], LOOKBACK);
    // Watermark 15 s; the window starts at 5 s: a (1 s) is outside it, b and c are inside, d is the tie.
    expect(position).toEqual({
      updatedAt: at(15),
      eventIdsAtUpdatedAt: ['d'],
      window: { ids: { [at(5)]: ['b'], [at(12)]: ['c'] } },
    });
    expect(seenBefore(position, at(5), 'b')).toBe('duplicate');
    expect(seenBefore(position, at(12), 'c')).toBe('duplicate');
    expect(seenBefore(position, at(15), 'd')).toBe('duplicate');
    // A change committed late, stamped inside the window, is seen for the first time: delivered.
    expect(seenBefore(position, at(12), 'late')).toBe('late');
    expect(seenBefore(position, at(15), 'tie')).toBe('new');
    expect(seenBefore(position, at(16), 'e')).toBe('new');
  });

  it('adds a late change to the window, so the next run skips it; the watermark does not move back', () => {
    const before = advance(START_OF_TIME, [done(10, 'a'), done(15, 'b')], LOOKBACK);
    const after = advance(before, [done(12, 'late')], LOOKBACK);
    expect(after.updatedAt).toBe(at(15));
    expect(seenBefore(after, at(12), 'late')).toBe('duplicate');
    expect(seenBefore(after, at(10), 'a')).toBe('duplicate');
  });

  it('returns the same position when a run only met duplicates (nothing to save)', () => {
    const position = advance(START_OF_TIME, [done(10, 'a'), done(15, 'b')], LOOKBACK);
    expect(advance(position, [done(10, 'a'), done(15, 'b')], LOOKBACK)).toBe(position);
  });

  it('moves the old tie into the window when the watermark moves on, and prunes what falls out of the lookback', () => {
    const first = advance(START_OF_TIME, [done(10, 'a'), done(10, 'b')], LOOKBACK);
    const second = advance(first, [done(18, 'c')], LOOKBACK);
    expect(second.window).toEqual({ ids: { [at(10)]: ['a', 'b'] } });
    const third = advance(second, [done(25, 'd')], LOOKBACK);
    expect(third.window).toEqual({ ids: { [at(18)]: ['c'] } });
  });

  it('knows nothing behind a watermark saved without a window: those changes are delivered again, not called late', () => {
    const old: Position = { updatedAt: at(20), eventIdsAtUpdatedAt: ['x'] };
    expect(seenBefore(old, at(15), 'a')).toBe('unknown');
    const next = advance(old, [done(15, 'a'), done(25, 'b')], LOOKBACK);
    // The window starts at 15 s: 15 s is inside it, and what was handed off before 20 s is not all known.
    expect(next.window).toEqual({ ids: { [at(15)]: ['a'], [at(20)]: ['x'] }, unknownBefore: at(20) });
    expect(seenBefore(next, at(17), 'other')).toBe('unknown');
    expect(seenBefore(next, at(21), 'other')).toBe('late');
    // Once the watermark is a lookback past it, the window is complete again.
    expect(advance(next, [done(31, 'c')], LOOKBACK).window).toEqual({ ids: { [at(25)]: ['b'] } });
  });

  it('past its bound drops the oldest timestamps and delivers their changes again (at least once), never skipping an unseen one', () => {
    const bounded: Lookback = { lookbackMs: 60_000, maxIds: 6 };
    // Tie of 1 id at 50 s, window 10, 20, 30, 40 s of one id each (2 slots a timestamp): 9 slots > 6.
    const position = advance(
      START_OF_TIME,
      [done(10, 'a'), done(20, 'b'), done(30, 'c'), done(40, 'd'), done(50, 'e')],
      bounded,
    );
    expect(position.window).toEqual({ ids: { [at(30)]: ['c'], [at(40)]: ['d'] }, unknownBefore: at(30) });
    expect(seenBefore(position, at(10), 'a')).toBe('unknown');
    expect(seenBefore(position, at(20), 'never-seen')).toBe('unknown');
    expect(seenBefore(position, at(30), 'c')).toBe('duplicate');
    expect(seenBefore(position, at(35), 'late')).toBe('late');
  });

  it('with lookback off keeps no window, and drops one a lookback run left (an operator turned it off)', () => {
    const plain = advance(START_OF_TIME, [done(10, 'a'), done(15, 'b')]);
    expect(plain).toEqual({ updatedAt: at(15), eventIdsAtUpdatedAt: ['b'] });
    expect(advance(START_OF_TIME, [done(15, 'b')], LOOKBACK).window).toEqual({ ids: {} });
    const windowed = advance(START_OF_TIME, [done(10, 'a'), done(15, 'b')], LOOKBACK);
    expect(advance(windowed, [done(16, 'c')])).toEqual({ updatedAt: at(16), eventIdsAtUpdatedAt: ['c'] });
  });
});
