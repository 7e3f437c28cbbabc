import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findIncompatibility } from '../../../lib/registry/compatibility';
import type { CompatibilityMode } from '../../../lib/registry/port';
import { canonicalDefinition } from '../../../lib/avro';

const ROOT = path.resolve(__dirname, '../../..');
const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

/** Every distinct committed version of a schema file, oldest first. */
function committedVersions(file: string): string[] {
  const commits = git('log', '--format=%H', '--reverse', '--', file).split('\n').filter(Boolean);
  const versions: string[] = [];
  for (const commit of commits) {
    let content: string;
    try {
      content = git('show', `${commit}:${file}`);
    } catch {
      continue;
    }
    const last = versions[versions.length - 1];
    if (last === undefined || canonicalDefinition(last) !== canonicalDefinition(content)) versions.push(content);
  }
  return versions;
}

/** The mode each entity's Glue schema is created with (params.entities.<e>.compatibility, default BACKWARD). */
function modeOf(entity: string): CompatibilityMode {
  const match = new RegExp(`^\\s+${entity}:\\s*\\{[^}]*compatibility:\\s*(\\w+)`, 'm').exec(
    readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8'),
  );
  return (match?.[1] as CompatibilityMode | undefined) ?? 'BACKWARD';
}

const entities = readdirSync(path.join(ROOT, 'schemas'))
  .filter((f) => f.endsWith('.avsc'))
  .map((f) => f.slice(0, -5));

describe('schemas/ stays compatible with every version committed before', () => {
  it('finds the committed history of the schema files', () => {
    // A shallow clone only has the newest commit: then there is less history to check against.
    for (const entity of entities) expect(committedVersions(`schemas/${entity}.avsc`).length).toBeGreaterThan(0);
  });

  it.each(entities)('schemas/%s.avsc is compatible under its mode with its committed versions', (entity) => {
    const file = `schemas/${entity}.avsc`;
    const current = readFileSync(path.join(ROOT, file), 'utf8');
    const previous = committedVersions(file).filter((v) => canonicalDefinition(v) !== canonicalDefinition(current));
    const mode = modeOf(entity);
    // Each committed step had to pass the same mode; the working copy must too, against all of them for *_ALL.
    expect(findIncompatibility(mode, current, previous)).toBeUndefined();
  });
});
