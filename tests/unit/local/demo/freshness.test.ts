import { freshnessOf, quantile, SourceAppearances, streamBatchesOf } from '../../../../local/demo/freshness';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const sec = (ms: number): number => ms / 1000;

describe('freshness from the stream', () => {
  it("reads the stream's micro-batch lines out of a spark-submit log", () => {
    const log = [
      'WARN something',
      '{"cdc_stream_batch": {"entity": "customer", "batch_id": 0, "changes": 2, "deletes": 0, "committed_at": 1.5, "updated_at": [1.0, 1.25]}}',
      '{"cdc_job_summary": {}}',
    ].join('\n');
    expect(streamBatchesOf(log)).toEqual([
      { entity: 'customer', batch_id: 0, changes: 2, deletes: 0, committed_at: 1.5, updated_at: [1.0, 1.25] },
    ]);
  });

  it('dates each change by the generate call that made it, whatever the source clock says', () => {
    // The source clock stood at T0; two calls made changes up to T0+90 s and T0+300 s, at wall times W+0 and W+20 s.
    const wall = Date.parse('2026-12-07T12:00:00.000Z');
    const appearances = new SourceAppearances(T0);
    appearances.note(new Date(T0 + 90_000).toISOString(), wall);
    appearances.note(new Date(T0 + 300_000).toISOString(), wall + 20_000);
    expect(appearances.appearedAt(T0)).toBeUndefined(); // from before the run
    expect(appearances.appearedAt(T0 + 1)).toBe(wall);
    expect(appearances.appearedAt(T0 + 90_000)).toBe(wall);
    expect(appearances.appearedAt(T0 + 90_001)).toBe(wall + 20_000);
    expect(appearances.appearedAt(T0 + 300_001)).toBeUndefined(); // no noted call made it
    const freshness = freshnessOf(
      [
        {
          entity: 'a',
          batch_id: 0,
          changes: 2,
          committed_at: sec(wall + 30_000),
          updated_at: [sec(T0 + 10), sec(T0 - 5)],
        },
        {
          entity: 'a',
          batch_id: 1,
          changes: 2,
          committed_at: sec(wall + 50_000),
          updated_at: [sec(T0 + 200_000), sec(T0 + 250_000)],
        },
      ],
      appearances,
    );
    // 30 s (first call's change), 30 s and 30 s (the second call's, committed 30 s after it); the older one is left out.
    expect(freshness).toEqual({ changes: 3, p50Seconds: 30, p95Seconds: 30, maxSeconds: 30 });
  });

  it('gives nearest-rank quantiles, and no figure without changes', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(values, 0.5), quantile(values, 0.95), quantile(values, 1)]).toEqual([50, 95, 100]);
    expect(quantile([7], 0.95)).toBe(7);
    expect(freshnessOf([], new SourceAppearances(T0))).toBeUndefined();
  });
});
