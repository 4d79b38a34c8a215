import { fileURLToPath } from 'node:url';
import { ExitCode, UsageError } from '../command.js';
import { main } from '../main.js';
import { formatSummary, parseReplayArgs, runReplayCommand } from './replay.command.js';

const trace = fileURLToPath(new URL('../../traces/demo-short.csv', import.meta.url));

/** Runs a command line in-process, capturing its output. */
async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('replay command line', () => {
  it('applies the documented defaults', () => {
    expect(parseReplayArgs(['walk.csv', '--device', 'd-1'])).toEqual({
      tracePath: 'walk.csv',
      deviceId: 'd-1',
      brokerUrl: 'mqtt://127.0.0.1:1883',
      speed: 1,
      codecName: 'canonical-json',
      batch: 1,
      qos: 1,
      startTime: 'now',
      accuracyM: 3,
      connectTimeoutMs: 5000,
    });
  });

  it('reads every option', () => {
    expect(
      parseReplayArgs([
        '--speed=max',
        'walk.geojson',
        '--broker',
        'mqtts://127.0.0.1:8883',
        '--batch',
        '10',
        '--qos',
        '0',
        '--start-time',
        '2026-05-01T10:00:00Z',
        '--accuracy-m',
        '4.5',
        '--interval-ms',
        '1000',
        '--username',
        'u',
        '--password',
        'p',
        '--connect-timeout-ms',
        '250',
      ]),
    ).toMatchObject({
      tracePath: 'walk.geojson',
      speed: 'max',
      brokerUrl: 'mqtts://127.0.0.1:8883',
      batch: 10,
      qos: 0,
      startTime: Date.parse('2026-05-01T10:00:00Z'),
      accuracyM: 4.5,
      intervalMs: 1000,
      username: 'u',
      password: 'p',
      connectTimeoutMs: 250,
    });
    expect(parseReplayArgs(['t.csv', '--speed', '2.5', '--start-time', '1746093600000'])).toMatchObject({
      speed: 2.5,
      startTime: 1746093600000,
    });
    expect(parseReplayArgs(['-h'])).toBe('help');
  });

  it.each([
    [[], 'missing the trace file'],
    [['a.csv', 'b.csv'], 'expected one trace file, found 2: a.csv b.csv'],
    [['a.csv', '--speed', '0'], '--speed must be a number > 0, got "0"'],
    [['a.csv', '--speed', 'fast'], '--speed must be a number > 0, got "fast"'],
    [['a.csv', '--batch', '2.5'], '--batch must be an integer >= 1, got "2.5"'],
    [['a.csv', '--qos', '3'], '--qos must be 0, 1 or 2, got "3"'],
    [['a.csv', '--accuracy-m=-1'], '--accuracy-m must be a number >= 0 and <= 10000, got "-1"'],
    [['a.csv', '--interval-ms', '0'], '--interval-ms must be an integer >= 1, got "0"'],
    [
      ['a.csv', '--start-time', 'tomorrow'],
      /^--start-time: expected an ISO 8601 time with a zone .*, found "tomorrow", or "now"$/,
    ],
    [
      ['a.csv', '--broker', 'http://127.0.0.1:1883'],
      '--broker must use mqtt://, mqtts://, ws:// or wss://, got "http://127.0.0.1:1883"',
    ],
    [
      ['a.csv', '--broker', 'not a url'],
      '--broker must be a URL like mqtt://127.0.0.1:1883, got "not a url"',
    ],
    [['a.csv', '--username', 'u'], '--username and --password go together'],
    [['a.csv', '--colour', 'red'], /Unknown option '--colour'/],
    [['a.csv', '--device'], /--device <value>' argument missing/],
  ])('refuses %j', (args, message) => {
    expect(() => parseReplayArgs(args)).toThrow(UsageError);
    expect(() => parseReplayArgs(args)).toThrow(message);
  });

  it('exits 2 with a one-line message and no stack trace on bad input, before connecting', async () => {
    const cases: [string[], string | RegExp][] = [
      [
        ['replay', trace, '--speed', 'x'],
        'error: --speed must be a number > 0, got "x"\nRun "lookout-sim replay --help" for the options.',
      ],
      [['replay', 'missing.csv', '--device', 'd'], 'error: missing.csv: cannot read the trace: no such file'],
      [['replay', trace], `error: ${trace} names no device: give the device id to publish as (--device)`],
      // Codecs join the registry over time; only the shape of this message is fixed.
      [
        ['replay', trace, '--device', 'd', '--codec', 'morse'],
        /^error: unknown codec "morse"; known codecs: canonical-json, /,
      ],
      [
        ['replay', trace, '--device', 'd', '--batch', '5000'],
        'error: batch must be an integer from 1 to 1000, got 5000',
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await run([...argv, '--broker', 'mqtt://127.0.0.1:1']);
      const err = typeof message === 'string' ? message : expect.stringMatching(message);
      expect(result).toEqual({ code: ExitCode.badInput, out: '', err });
    }
  });

  it('prints usage for help and for unknown commands', async () => {
    expect(await run(['--help'])).toMatchObject({
      code: ExitCode.ok,
      out: expect.stringMatching(/^Usage: lookout-sim <command>/),
    });
    expect(await run([])).toMatchObject({ code: ExitCode.badInput, err: expect.stringMatching(/^Usage:/) });
    expect(await run(['fly'])).toMatchObject({
      code: ExitCode.badInput,
      err: expect.stringMatching(/^error: unknown command "fly"/),
    });
    expect(await run(['toString'])).toMatchObject({ code: ExitCode.badInput });
    const help = await runReplayCommand(['--help'], { out: () => undefined, err: () => undefined });
    expect(help).toBe(ExitCode.ok);
  });

  it('formats the summary on one line', () => {
    const base = {
      totalFixes: 10,
      sentFixes: 8,
      messages: 4,
      failedPublishes: 1,
      failedFixes: 2,
      elapsedMs: 2000,
      fixesPerSecond: 4,
    };
    expect(formatSummary({ ...base, deviceIds: ['d-1'] })).toBe(
      'replay: sent 8/10 fixes in 4 messages for device d-1, 1 failed publishes, elapsed 2.00 s, 4.0 fixes/s',
    );
    expect(formatSummary({ ...base, deviceIds: ['a', 'b'], stopped: 'connection-lost' })).toMatch(
      /^replay \(connection to the broker lost\): sent 8\/10 fixes in 4 messages for 2 devices,/,
    );
  });
});
