import { CommandLineError, HelpRequested, readFlags } from '../../../cli/command-line';

const SPEC = { stage: 'string', json: 'boolean' } as const;

describe('the command-line reader', () => {
  it('reads --name value, --name=value and switches, the last one given winning', () => {
    expect(readFlags(['--stage', 'dev', '--json', '--stage=prod'], SPEC)).toEqual({ stage: 'prod', json: true });
  });

  it.each([
    [['--stag', 'dev'], '--stag: unknown argument; the options are --stage, --json'],
    [['dev'], 'dev: unknown argument; the options are --stage, --json'],
    [['-s'], '-s: unknown argument; the options are --stage, --json'],
    [['--stage', '--json'], '--stage: needs a value'],
    [['--stage'], '--stage: needs a value'],
    [['--json=yes'], '--json: is a switch and takes no value'],
  ])('refuses %j, naming the argument', (argv, message) => {
    expect(() => readFlags(argv, SPEC)).toThrow(message);
    expect(() => readFlags(argv, SPEC)).toThrow(CommandLineError);
  });

  it('lets a command word its refusals its own way', () => {
    const messages = {
      unknown: (flag: string) => `unknown option ${flag}`,
      missing: (flag: string) => `${flag} wants a number`,
    };
    expect(() => readFlags(['--x'], SPEC, messages)).toThrow('unknown option --x');
    expect(() => readFlags(['--stage'], SPEC, messages)).toThrow('--stage wants a number');
  });

  it('answers --help with HelpRequested', () => {
    expect(() => readFlags(['--stage', 'dev', '--help'], SPEC)).toThrow(HelpRequested);
  });
});
