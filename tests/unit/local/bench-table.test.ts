import { type BenchRow, formatTable, targetMet } from '../../../local/bench/results-table';

const serde: BenchRow = {
  stage: 'serde encode',
  figure: 800,
  unit: 'events/s',
  baseline: { name: 'JSON.stringify', figure: 1000 },
  target: { kind: 'ratio at least', value: 1 },
};

describe("npm run bench's table", () => {
  it('judges each row against its target: a ratio to the baseline, or a bound on the figure', () => {
    expect(targetMet(serde)).toBe(false);
    expect(targetMet({ ...serde, figure: 1000 })).toBe(true);
    expect(targetMet({ stage: 'zip', figure: 499, unit: 'KiB', target: { kind: 'at most', value: 500 } })).toBe(true);
    expect(targetMet({ stage: 'zip', figure: 501, unit: 'KiB', target: { kind: 'at most', value: 500 } })).toBe(false);
    expect(targetMet({ stage: 'drain', figure: 629, unit: 'events/s', target: { kind: 'at least', value: 630 } })).toBe(
      false,
    );
    expect(targetMet({ stage: 'all', figure: 1, unit: 'KiB' })).toBeUndefined();
  });

  it('prints the target and the verdict beside the ratio', () => {
    const table = formatTable([
      serde,
      { stage: 'zip', figure: 400, unit: 'KiB', target: { kind: 'at most', value: 500 } },
      { stage: 'all', figure: 1, unit: 'KiB' },
    ]).split('\n');
    expect(table[0]).toMatch(/\| ratio \| +target \| met +\|$/);
    expect(table[2]).toMatch(/\| 0\.80× \| +≥ 1\.00× \| NOT met \|$/);
    expect(table[3]).toMatch(/\| +≤ 500 KiB \| met +\|$/);
    expect(table[4]).toMatch(/\| +— \| — +\|$/);
  });
});
