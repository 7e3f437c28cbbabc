import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The dependency direction (STYLE.md): `lib/` is the core and knows nothing of the local stack
 * or the operator commands; `ops/` runs against any stage and knows nothing of the local stack;
 * `stage/` (resolving a stage's names and endpoints) and `cli/` (reading a command line) are
 * what both of them share.
 */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  lib: ['local', 'ops', 'functions', 'stage', 'cli'],
  cli: ['local', 'ops', 'functions', 'stage', 'lib'],
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
  const specifiers = [
    ...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm),
  ].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => path.relative(ROOT, path.resolve(path.dirname(file), s)));
}

describe('the dependency direction between the top-level folders', () => {
  it.each(Object.entries(FORBIDDEN))('%s/ imports none of %j', (folder, forbidden) => {
    const arrows = sourceFiles(path.join(ROOT, folder)).flatMap((file) =>
      importsOf(file)
        .filter((target) => forbidden.includes(target.split(path.sep)[0]!))
        .map((target) => `${path.relative(ROOT, file)} → ${target}`),
    );
    expect(arrows).toEqual([]);
  });

  it('sees the arrows it forbids (a file of lib/ importing local/ would be caught)', () => {
    const probe = path.join(ROOT, 'local', 'bench', 'serde.ts');
    expect(importsOf(probe)).toContain(path.join('lib', 'serde', 'glue-avro-serde'));
  });
});

const isFolder = (dir: string): boolean => {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
};

/** Which lib/ folders each lib/ folder imports (lib/errors.ts, a file, is below them all). */
function libFolderArrows(): Map<string, Set<string>> {
  const arrows = new Map<string, Set<string>>();
  for (const file of sourceFiles(path.join(ROOT, 'lib'))) {
    const [, from] = path.relative(ROOT, file).split(path.sep);
    for (const target of importsOf(file)) {
      const [top, to] = target.split(path.sep);
      if (top !== 'lib' || to === undefined || to === from || !isFolder(path.join(ROOT, 'lib', to))) continue;
      arrows.set(from!, (arrows.get(from!) ?? new Set()).add(to!));
    }
  }
  return arrows;
}

/** Every cycle among the folders, each as `a → b → … → a`, found by a depth-first walk. */
function cyclesOf(arrows: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const cycles = new Set<string>();
  const walk = (folder: string, trail: readonly string[]): void => {
    const seen = trail.indexOf(folder);
    if (seen >= 0) {
      const loop = trail.slice(seen);
      const start = loop.indexOf([...loop].sort()[0]!);
      cycles.add([...loop.slice(start), ...loop.slice(0, start), loop[start]].join(' → '));
      return;
    }
    for (const next of arrows.get(folder) ?? []) walk(next, [...trail, folder]);
  };
  for (const folder of arrows.keys()) walk(folder, []);
  return [...cycles].sort();
}

describe('the dependency direction inside lib/', () => {
  it('has no import cycle between lib/ folders', () => {
    expect(cyclesOf(libFolderArrows())).toEqual([]);
  });

  it('keeps lib/avro at the bottom: it imports no other lib/ folder', () => {
    expect([...(libFolderArrows().get('avro') ?? [])]).toEqual([]);
  });

  it('sees a cycle when there is one (serde → registry → serde would be caught)', () => {
    const arrows = new Map([
      ['serde', new Set(['registry', 'avro'])],
      ['registry', new Set(['serde'])],
      ['avro', new Set<string>()],
    ]);
    expect(cyclesOf(arrows)).toEqual(['registry → serde → registry']);
  });

  it("sees the arrows between lib/ folders, to a file or to a folder's index (serde → registry/schema-cache, consumer → registry)", () => {
    const arrows = libFolderArrows();
    expect([...(arrows.get('serde') ?? [])]).toEqual(expect.arrayContaining(['avro', 'registry']));
    expect([...(arrows.get('consumer') ?? [])]).toContain('registry');
  });
});
