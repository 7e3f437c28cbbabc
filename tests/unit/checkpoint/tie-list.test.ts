import {
  advance,
  handedOffLookup,
  isBehind,
  type Lookback,
  type Position,
  type Progress,
  START_OF_TIME,
  seenBefore,
} from '../../../lib/checkpoint';

const at = (second: number): string => new Date(Date.UTC(2026, 10, 24, 10, 0, second)).toISOString();
const T1 = at(10);
const T2 = at(11);
const done = (updatedAt: string, eventId: string): Progress => ({ updatedAt, eventId, handedOff: true });
const failed = (updatedAt: string, eventId: string): Progress => ({ updatedAt, eventId, handedOff: false });
const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
/** A checkpoint inside a tie of 5,000 eventIds at T1. */
const bigTie = (): Position => ({ updatedAt: T1, eventIdsAtUpdatedAt: ids('tie-', 5000) });

describe('the tie list of a checkpoint', () => {
  it('lists the tie in first-seen order, each eventId once, across pages', () => {
    const page1 = advance(START_OF_TIME, [done(T1, 'a'), done(T1, 'b'), done(T1, 'a')]);
    expect(page1).toEqual({ updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b'] });
    const page2 = advance(page1, [done(T1, 'b'), done(T1, 'c'), done(T1, 'a'), done(T1, 'd')]);
    expect(page2).toEqual({ updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b', 'c', 'd'] });
  });

  it('grows a 5,000-id tie by the new eventIds of a page inside it, after the listed ones and in page order', () => {
    const listed = ids('tie-', 250).map((_, i) => `tie-${i * 20}`);
    const fresh = ids('new-', 250);
    const page = listed.flatMap((id, i) => [done(T1, fresh[i]!), done(T1, id)]);
    const next = advance(bigTie(), page);
    expect(next).toEqual({ updatedAt: T1, eventIdsAtUpdatedAt: [...ids('tie-', 5000), ...fresh] });
  });

  it('moves to the next timestamp, with only its eventIds, when a page crosses the tie', () => {
    const page = [...ids('new-', 499).map((id) => done(T1, id)), done(T2, 'x'), done(T2, 'y')];
    expect(advance(bigTie(), page)).toEqual({ updatedAt: T2, eventIdsAtUpdatedAt: ['x', 'y'] });
  });

  it('stops growing the tie at the first event not handed off inside it', () => {
    const page = [done(T1, 'new-0'), done(T1, 'new-1'), failed(T1, 'new-2'), done(T1, 'new-3'), done(T2, 'x')];
    expect(advance(bigTie(), page).eventIdsAtUpdatedAt).toEqual([...ids('tie-', 5000), 'new-0', 'new-1']);
  });

  it('returns the very same position when a page inside the tie only repeats listed eventIds (nothing to save)', () => {
    const position = bigTie();
    expect(
      advance(
        position,
        ids('tie-', 500).map((id) => done(T1, id)),
      ),
    ).toBe(position);
    expect(advance(position, [done(at(9), 'older')])).toBe(position);
  });

  it('drops a twice-listed eventId of a stored tie once the tie grows, and keeps it listed twice otherwise', () => {
    const stored: Position = { updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b', 'a'] };
    expect(advance(stored, [done(T1, 'c')]).eventIdsAtUpdatedAt).toEqual(['a', 'b', 'c']);
    expect(advance(stored, [done(at(9), 'older')])).toBe(stored);
  });

  it('stays a plain list of strings, so the stores save it as they always have', () => {
    const next = advance(
      bigTie(),
      ids('new-', 500).map((id) => done(T1, id)),
    );
    expect(Array.isArray(next.eventIdsAtUpdatedAt)).toBe(true);
    expect(JSON.parse(JSON.stringify(next))).toEqual(next);
  });

  it('compares two positions inside one 5,000-id tie by how much of it each covers', () => {
    const tie = bigTie();
    const grown = advance(tie, [done(T1, 'new-0')]);
    expect(isBehind(tie, grown)).toBe(true);
    expect(isBehind(grown, tie)).toBe(false);
    expect(isBehind({ ...tie, eventIdsAtUpdatedAt: [...tie.eventIdsAtUpdatedAt].reverse() }, tie)).toBe(false);
  });
});

describe("a page's lookup of what the checkpoint saw", () => {
  it('skips exactly the listed eventIds of a 5,000-id tie, as seenBefore does one by one', () => {
    const lookup = handedOffLookup(bigTie());
    const asked = [...ids('tie-', 5000).filter((_, i) => i % 10 === 0), ...ids('new-', 500)];
    expect(asked.map((id) => lookup(T1, id))).toEqual(asked.map((id) => (id.startsWith('tie-') ? 'duplicate' : 'new')));
    expect(asked.map((id) => lookup(T1, id))).toEqual(asked.map((id) => seenBefore(bigTie(), T1, id)));
    expect(lookup(T2, 'tie-0')).toBe('new');
  });

  it('tells duplicates, late and unknown changes behind the watermark apart, as seenBefore does', () => {
    const lookback: Lookback = { lookbackMs: 10_000, maxIds: 20_000 };
    // A 5,000-id tie at 10 s moves into the window when the watermark moves to 15 s.
    const position = advance(bigTie(), [done(at(15), 'e')], lookback);
    const windowless: Position = { updatedAt: at(15), eventIdsAtUpdatedAt: ['e'] };
    for (const p of [position, windowless]) {
      const lookup = handedOffLookup(p);
      for (const [second, id] of [
        [10, 'tie-4999'],
        [10, 'late'],
        [12, 'late'],
        [15, 'e'],
        [15, 'f'],
        [16, 'g'],
      ] as const)
        expect(lookup(at(second), id)).toBe(seenBefore(p, at(second), id));
    }
    expect(handedOffLookup(position)(at(10), 'tie-4999')).toBe('duplicate');
    expect(handedOffLookup(position)(at(10), 'late')).toBe('late');
    expect(handedOffLookup(windowless)(at(10), 'tie-4999')).toBe('unknown');
  });
});
