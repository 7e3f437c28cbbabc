import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The dependency direction (STYLE.md): `lib/` is the core and knows nothing of the local stack
 * or the operator commands; `ops/` runs against any stage and knows nothing of the local stack;
 * `stage/` (resolving a stage's names and endpoints) is what both of them share.
 */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  lib: ['local', 'ops', 'functions', 'stage'],
  ops: ['local'],
  stage: ['local', 'ops', 'functions'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return /\.(ts|js|cjs)$/.test(name) ? [file] : [];
  });
}

/** Every relative module a file imports, re-exports, requires or imports dynamically, as a repo path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.relative(ROOT, path.resolve(path.dirname(file), s)));
}

describe('the dependency direction between the top-level folders', () => {
  it.each(Object.entries(FORBIDDEN))('%s/ imports none of %j', (folder, forbidden) => {
    const arrows = sourceFiles(path.join(ROOT, folder)).flatMap((file) => importsOf(file)
      .filter((target) => forbidden.includes(target.split(path.sep)[0]!))
      .map((target) => `${path.relative(ROOT, file)} → ${target}`));
    expect(arrows).toEqual([]);
  });

  it('sees the arrows it forbids (a file of lib/ importing local/ would be caught)', () => {
    const probe = path.join(ROOT, 'local', 'bench', 'serde.ts');
    expect(importsOf(probe)).toContain(path.join('lib', 'serde', 'glue-avro-serde'));
  });
});
