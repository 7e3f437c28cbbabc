import type { Random } from './random';
import type { JsonObject } from './types';

/**
 * The records of one entity that exist (not deleted), with their valid data. Updates
 * start from this valid data, so a deliberately broken version never leaks into the
 * next one; ids are kept in insertion order plus swap-removal, so a random pick is O(1)
 * and still reproducible.
 */
export class LiveRecords {
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();
  private readonly validData = new Map<string, JsonObject>();
  private readonly childCounts = new Map<string, number>();
  private sequence = 0;

  get size(): number {
    return this.ids.length;
  }

  nextId(prefix: string): string {
    this.sequence++;
    return `${prefix}-${this.sequence}`;
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  dataOf(id: string): JsonObject | undefined {
    return this.validData.get(id);
  }

  set(id: string, data: JsonObject): void {
    if (!this.positions.has(id)) {
      this.positions.set(id, this.ids.length);
      this.ids.push(id);
    }
    this.validData.set(id, data);
  }

  remove(id: string): void {
    const position = this.positions.get(id);
    const last = this.ids.pop();
    if (position === undefined || last === undefined) return;
    if (last !== id) {
      this.ids[position] = last;
      this.positions.set(last, position);
    }
    this.positions.delete(id);
    this.validData.delete(id);
    this.childCounts.delete(id);
  }

  pick(random: Random): string | undefined {
    return this.ids.length === 0 ? undefined : random.pick(this.ids);
  }

  /** Picks a record satisfying `prefer` when a few tries find one, else any record. */
  pickPreferring(random: Random, prefer: ((data: JsonObject) => boolean) | undefined): string | undefined {
    let candidate = this.pick(random);
    for (let attempt = 0; prefer !== undefined && candidate !== undefined && attempt < 5; attempt++) {
      const data = this.validData.get(candidate);
      if (data !== undefined && prefer(data)) break;
      candidate = this.pick(random);
    }
    return candidate;
  }

  /** Records referenced by live children are never deleted, so references stay valid. */
  hasChildren(id: string): boolean {
    return (this.childCounts.get(id) ?? 0) > 0;
  }

  adjustChildren(id: string, delta: number): void {
    this.childCounts.set(id, (this.childCounts.get(id) ?? 0) + delta);
  }
}
