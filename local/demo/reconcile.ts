/**
 * The verdict: do the Delta tables equal the source's current state? A record whose latest
 * change broke its schema cannot be in the table; it must instead be accounted for, in the
 * fallback table or in the stale archive, under its exact (id, updatedAt).
 */
export type Row = Record<string, unknown>;

export interface SourceRecord {
  readonly id: string;
  readonly op: string;
  readonly updatedAt: string;
  readonly data: Row | null;
  /** Set by the simulator when this change breaks the entity's schema or is malformed. */
  readonly broken: string | null;
}

export interface EntityVerdict {
  readonly entity: string;
  /** Ids whose latest change is valid: the table must hold exactly these (minus deletes). */
  readonly valid: number;
  readonly liveRows: number;
  readonly deltaRows: number;
  /** Valid ids the table gets right: the row equals the source, or a deleted id has no row. */
  readonly matching: number;
  /** Of those, rows present and equal to the source record. */
  readonly rowsEqual: number;
  /** Ids whose latest change is invalid, and how many of those are accounted for. */
  readonly invalid: number;
  readonly invalidAccounted: number;
  /** Human-readable differences, the first few. */
  readonly problems: readonly string[];
  readonly problemCount: number;
}

/** `id@updatedAt`: how a change is named across source, fallback table and archive. */
export const changeKey = (id: unknown, updatedAt: unknown): string => `${String(id)}@${String(updatedAt)}`;

/** The source record as the table should hold it: data flattened `parent_child`, arrays whole. */
export function flatten(data: Row, prefix = ''): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(data)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v as Row, `${prefix}${k}_`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** Arrays of records: optional fields the source left out are null in the table. */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map((v) =>
      v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Row)
              .filter(([, x]) => x !== null)
              .sort(),
          )
        : v,
    );
  return value;
}

/** The columns of a table row that differ from the source record (data columns and `_updated_at`). */
export function rowDifferences(row: Row, record: SourceRecord): string[] {
  const source = flatten(record.data ?? {});
  const columns = Object.keys(row).filter((c) => !c.startsWith('_') && c !== 'id');
  const differences = columns
    .filter((c) => JSON.stringify(normalise(row[c])) !== JSON.stringify(normalise(source[c] ?? null)))
    .map((c) => `${c}: table ${JSON.stringify(row[c])}, source ${JSON.stringify(source[c] ?? null)}`);
  if (row._updated_at !== record.updatedAt)
    differences.push(`_updated_at: table ${String(row._updated_at)}, source ${record.updatedAt}`);
  return differences;
}

export function reconcileEntity(
  entity: string,
  records: readonly SourceRecord[],
  rows: readonly Row[],
  accounted: ReadonlySet<string>,
  maxProblems = 10,
): EntityVerdict {
  const problems: string[] = [];
  const table = new Map(rows.map((r) => [String(r.id), r]));
  let valid = 0;
  let liveRows = 0;
  let matching = 0;
  let rowsEqual = 0;
  let invalid = 0;
  let invalidAccounted = 0;
  const known = new Set<string>();
  for (const record of records) {
    known.add(record.id);
    const row = table.get(record.id);
    if (record.broken !== null) {
      // The table may hold an older valid version of it, or none: only the accounting is checked.
      invalid += 1;
      if (accounted.has(changeKey(record.id, record.updatedAt))) invalidAccounted += 1;
      else
        problems.push(
          `${entity} ${record.id}: its latest change (${record.updatedAt}, ${record.broken}) is neither in the table nor parked nor archived`,
        );
      continue;
    }
    valid += 1;
    if (record.op === 'DELETE') {
      if (row)
        problems.push(`${entity} ${record.id}: deleted at the source (${record.updatedAt}) but still in the table`);
      else matching += 1;
      continue;
    }
    liveRows += 1;
    if (!row) {
      problems.push(`${entity} ${record.id}: missing from the table (source ${record.updatedAt})`);
      continue;
    }
    const differences = rowDifferences(row, record);
    if (differences.length === 0) {
      matching += 1;
      rowsEqual += 1;
    } else problems.push(`${entity} ${record.id}: ${differences.join('; ')}`);
  }
  for (const id of table.keys())
    if (!known.has(id)) problems.push(`${entity} ${id}: in the table but not at the source`);
  return {
    entity,
    valid,
    liveRows,
    deltaRows: rows.length,
    matching,
    rowsEqual,
    invalid,
    invalidAccounted,
    problems: problems.slice(0, maxProblems),
    problemCount: problems.length,
  };
}
