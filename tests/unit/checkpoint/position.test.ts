import { START_OF_TIME, advance, alreadyHandedOff, isBehind, type Progress } from '../../../lib/checkpoint';
import { CheckpointConflictError, InMemoryCheckpointStore } from '../../../lib/checkpoint';

const T1 = '2026-11-24T10:00:00.000Z';
const T2 = '2026-11-24T10:00:01.000Z';
const done = (updatedAt: string, eventId: string): Progress => ({ updatedAt, eventId, handedOff: true });
const failed = (updatedAt: string, eventId: string): Progress => ({ updatedAt, eventId, handedOff: false });

describe('the tie-safe checkpoint position', () => {
  it('moves to the last handed-off timestamp and remembers the events handed off at it', () => {
    expect(advance(START_OF_TIME, [done(T1, 'a'), done(T1, 'b'), done(T2, 'c')])).toEqual({
      updatedAt: T2,
      eventIdsAtUpdatedAt: ['c'],
    });
  });

  it('keeps the tie when a page ends inside a run of equal timestamps', () => {
    const afterPage1 = advance(START_OF_TIME, [done(T1, 'a'), done(T1, 'b')]);
    expect(afterPage1).toEqual({ updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b'] });
    // The next query starts at T1 inclusively: a and b are exact duplicates, c is new.
    expect(
      [
        ['a', T1],
        ['b', T1],
        ['c', T1],
      ].map(([id, at]) => alreadyHandedOff(afterPage1, String(at), String(id))),
    ).toEqual([true, true, false]);
    expect(advance(afterPage1, [done(T1, 'c'), done(T2, 'd')])).toEqual({ updatedAt: T2, eventIdsAtUpdatedAt: ['d'] });
  });

  it('never moves past an event that was not handed off, even inside a tie', () => {
    expect(advance(START_OF_TIME, [done(T1, 'a'), failed(T1, 'b'), done(T1, 'c'), done(T2, 'd')])).toEqual({
      updatedAt: T1,
      eventIdsAtUpdatedAt: ['a'],
    });
    expect(advance(START_OF_TIME, [failed(T1, 'a'), done(T2, 'b')])).toBe(START_OF_TIME);
  });

  it('treats a changed payload at the same timestamp as new (only exact eventIds are duplicates)', () => {
    const position = advance(START_OF_TIME, [done(T1, 'hash-of-v1')]);
    expect(alreadyHandedOff(position, T1, 'hash-of-v2')).toBe(false);
  });

  it('never moves backwards, and tells which of two positions is behind', () => {
    const ahead = { updatedAt: T2, eventIdsAtUpdatedAt: ['x'] };
    expect(advance(ahead, [done(T1, 'old')])).toEqual(ahead);
    expect(isBehind({ updatedAt: T1, eventIdsAtUpdatedAt: ['a'] }, ahead)).toBe(true);
    expect(isBehind({ updatedAt: T2, eventIdsAtUpdatedAt: [] }, ahead)).toBe(true);
    expect(isBehind({ updatedAt: T2, eventIdsAtUpdatedAt: ['x', 'y'] }, ahead)).toBe(false);
  });
});

describe('the in-memory checkpoint store', () => {
  it('lets only one of two runs that read the same version write', async () => {
    const store = new InMemoryCheckpointStore();
    await store.save('customer', START_OF_TIME, undefined, 'run-0');
    const read = await store.load('customer');
    await store.save('customer', { updatedAt: T2, eventIdsAtUpdatedAt: ['b'] }, read?.version, 'run-1');
    await expect(
      store.save('customer', { updatedAt: T1, eventIdsAtUpdatedAt: ['a'] }, read?.version, 'run-2'),
    ).rejects.toBeInstanceOf(CheckpointConflictError);
    expect((await store.load('customer'))?.position.updatedAt).toBe(T2);
  });
});
