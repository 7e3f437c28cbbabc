/**
 * Jest runs the tests as CommonJS on Node 20, which cannot require an ES-module-only package
 * inside Jest's module system; @platformatic/kafka is one. This compiles such packages to
 * CommonJS with esbuild as Jest loads them, keeping `import.meta.url` (which the library uses
 * with createRequire) as the file's own URL.
 */
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'js',
      format: 'cjs',
      target: 'node20',
      sourcefile: filename,
      sourcemap: 'inline',
      define: { 'import.meta.url': '__esmImportMetaUrl' },
      banner: "const __esmImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    });
    return { code, map };
  },
};
