import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STACK_WIDE_INTEGRATION_FILES } from '../../../local/test-suite';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const INTEGRATION = path.join(ROOT, 'tests', 'integration');

/** A file is stack-wide when it stops or starts a shared service, or runs a script that does (the demo, the chaos suite). */
const stackWide = (text: string): boolean =>
  /\b(stopService|startService|stackDown)\b/.test(text) || /local\/(demo|chaos)\/main\.ts/.test(text);

describe('the suite runs the integration files that stop shared services one at a time', () => {
  const files = readdirSync(INTEGRATION).filter((name) => name.endsWith('.test.ts'));

  it.each(files)('tests/integration/%s is listed as stack-wide exactly when it stops or starts a service', (name) => {
    const file = `tests/integration/${name}`;
    expect({ file, listed: STACK_WIDE_INTEGRATION_FILES.includes(file) }).toEqual({
      file,
      listed: stackWide(readFileSync(path.join(ROOT, file), 'utf8')),
    });
  });

  it('lists only files that exist', () => {
    expect(STACK_WIDE_INTEGRATION_FILES.filter((file) => !files.includes(path.basename(file)))).toEqual([]);
  });

  it('recognises a file that stops Kafka', () => {
    expect(stackWide("await stopService('kafka');")).toBe(true);
    expect(stackWide("await rt.fire('poller', { entity });")).toBe(false);
  });
});
