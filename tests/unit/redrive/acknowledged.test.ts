import type { ParkedItem } from '../../../lib/fallback';
import { AcknowledgedLedger } from '../../../lib/redrive';

const item = (sk: string, eventId = sk.padEnd(32, '0')): ParkedItem =>
  ({ pk: 'customer#a', sk, eventId }) as unknown as ParkedItem;

describe('the ledger of acknowledged events whose delete was lost', () => {
  it('knows only that very event: same table key and eventId', () => {
    const ledger = new AcknowledgedLedger();
    ledger.acknowledged(item('s1'));
    expect(ledger.has(item('s1'))).toBe(true);
    expect(ledger.has(item('s1', 'another'.padEnd(32, '0')))).toBe(false);
    expect(ledger.has(item('s2'))).toBe(false);
    ledger.forget(item('s1'));
    expect(ledger.has(item('s1'))).toBe(false);
  });

  it('forgets the oldest entry past its limit, so a long outage cannot grow it without bound', () => {
    const ledger = new AcknowledgedLedger(2);
    ledger.acknowledged(item('s1'));
    ledger.acknowledged(item('s2'));
    ledger.acknowledged(item('s1'));
    ledger.acknowledged(item('s3'));
    expect([ledger.has(item('s1')), ledger.has(item('s2')), ledger.has(item('s3'))]).toEqual([true, false, true]);
    expect(ledger.size).toBe(2);
    expect(() => new AcknowledgedLedger(0)).toThrow(/limit must be ≥ 1, got 0/);
  });
});
