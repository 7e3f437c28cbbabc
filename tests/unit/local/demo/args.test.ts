import { parseDemoArgs } from '../../../../local/demo/main';

describe('npm run demo options', () => {
  it('defaults to 10,000 changes and an outage of at least 20 s', () => {
    expect(parseDemoArgs([])).toEqual({ events: 10_000, outageSeconds: 20, lake: 'batch' });
  });

  it('reads --events and --outage-seconds', () => {
    expect(parseDemoArgs(['--events', '2500', '--outage-seconds', '0'])).toEqual({
      events: 2500,
      outageSeconds: 0,
      lake: 'batch',
    });
    expect(parseDemoArgs(['--lake', 'streaming'])).toMatchObject({ lake: 'streaming' });
  });

  it.each([
    [['--events', 'many'], /--events takes a whole number from 10 to 200000, got many/],
    [['--events', '5'], /--events takes a whole number/],
    [['--events'], /--events takes a whole number .* got undefined/],
    [['--outage-seconds', '-1'], /--outage-seconds takes a whole number from 0 to 600, got -1/],
    [['--event', '10'], /unknown option --event; the options are --events N .*, --outage-seconds S .* and --lake/],
    [['--lake', 'lambda'], /--lake takes batch or streaming, got lambda/],
  ])('refuses %j naming the option', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});
