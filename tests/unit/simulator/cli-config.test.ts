import { readCliConfig } from '../../../local/simulator/cli-config';
import { NO_FAULTS } from '../../../local/simulator/faults';

describe('simulator command line', () => {
  test('takes host and port from CDC_SOURCE_URL and the token from CDC_SOURCE_TOKEN', () => {
    const config = readCliConfig([], { CDC_SOURCE_URL: 'http://0.0.0.0:9090', CDC_SOURCE_TOKEN: 'from-env' });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9090,
      token: 'from-env',
      seed: 1,
      initialEvents: 0,
      faults: undefined,
    });
  });

  test('defaults to 127.0.0.1:8080 without a token', () => {
    expect(readCliConfig([], {})).toMatchObject({ host: '127.0.0.1', port: 8080, token: undefined });
  });

  test('lets options override the environment', () => {
    const argv = ['--host', '127.0.0.2', '--port', '0', '--seed', '42', '--events', '500', '--token', 'from-cli'];
    const config = readCliConfig(argv, { CDC_SOURCE_URL: 'http://0.0.0.0:9090', CDC_SOURCE_TOKEN: 'from-env' });
    expect(config).toMatchObject({ host: '127.0.0.2', port: 0, seed: 42, initialEvents: 500, token: 'from-cli' });
  });

  test.each([
    ['a preset', 'ties', { ...NO_FAULTS, tieRate: 0.3 }],
    ['a list of presets', 'ties,dirty', { ...NO_FAULTS, tieRate: 0.3, malformedRate: 0.1, schemaBreakRate: 0.05 }],
    ['JSON settings', '{"rate429":0.5,"retryAfterSeconds":3}', { ...NO_FAULTS, rate429: 0.5, retryAfterSeconds: 3 }],
    [
      'JSON starting from a preset',
      '{"preset":"flaky","rate5xx":0}',
      { ...NO_FAULTS, rate429: 0.1, slowMs: 300, slowRate: 0.1 },
    ],
  ])('reads --faults given as %s', (_case, spec, faults) => {
    expect(readCliConfig(['--faults', spec], {}).faults).toEqual(faults);
  });

  test.each([
    [['--port', '99999'], '--port must be an integer'],
    [['--events=-1'], '--events must be an integer'],
    [['--faults', 'stormy'], '--faults: unknown fault preset "stormy"'],
    [['--faults', '{"rate429":'], '--faults: faults is neither a preset name nor valid JSON'],
    [['--start-time', 'soon'], '--start-time "soon"'],
    [['--colour'], "Unknown option '--colour'"],
  ])('fails naming the bad option in %j', (argv, message) => {
    expect(() => readCliConfig(argv, {})).toThrow(message);
  });
});
