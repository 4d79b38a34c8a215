import { parseCsvTrace, splitCsvLine } from './csv-trace.parser.js';
import { TraceFormatError } from './trace.model.js';

const T0 = Date.parse('2026-05-01T10:00:00Z');

/** The error a parse throws, so tests can assert its position and message. */
function parseError(text: string): TraceFormatError {
  try {
    parseCsvTrace(text, 'walk.csv');
  } catch (error) {
    if (error instanceof TraceFormatError) return error;
    throw error;
  }
  throw new Error('expected a TraceFormatError');
}

describe('CSV trace parser', () => {
  it('reads time, lon, lat and optional accuracy, skipping comments and blank lines', () => {
    const trace = parseCsvTrace(
      [
        '# recorded on the demo site',
        'time,lon,lat,accuracy_m',
        '',
        '2026-05-01T10:00:00Z,-1.5,52.9,2.5',
        '  # a comment after data',
        `${T0 + 1000},-1.50001,52.90001,`,
        '2026-05-01T11:00:02+01:00,-1.50002,52.90002,4',
        '',
      ].join('\r\n'),
      'walk.csv',
      { defaultAccuracyM: 7 },
    );
    expect(trace.format).toBe('csv');
    expect(trace.warnings).toEqual([]);
    expect(trace.tracks).toEqual([
      {
        points: [
          { fixTimeMs: T0, lon: -1.5, lat: 52.9, accuracyM: 2.5 },
          { fixTimeMs: T0 + 1000, lon: -1.50001, lat: 52.90001, accuracyM: 7 },
          { fixTimeMs: T0 + 2000, lon: -1.50002, lat: 52.90002, accuracyM: 4 },
        ],
      },
    ]);
  });

  it('accepts columns in any order, accuracyM as a header, sequence, quotes and a BOM; warns on unknown columns', () => {
    const trace = parseCsvTrace(
      '\uFEFFLat,Lon,Time,AccuracyM,sequence,note\n52.9,-1.5,2026-05-01T10:00:00Z,3,17,"at the ""gate"", north"\n',
      'walk.csv',
    );
    expect(trace.tracks[0]?.points).toEqual([
      { fixTimeMs: T0, lon: -1.5, lat: 52.9, accuracyM: 3, sequence: 17 },
    ]);
    expect(trace.warnings).toEqual(['walk.csv: line 1, column 6: ignoring unknown column "note"']);
  });

  it('uses the default accuracy of 3 m when there is no accuracy column', () => {
    const trace = parseCsvTrace('time,lon,lat\n2026-05-01T10:00:00Z,-1.5,52.9\n', 'walk.csv');
    expect(trace.tracks[0]?.points[0]?.accuracyM).toBe(3);
  });

  it('groups rows per device, in order of first appearance, checking time order per device', () => {
    const trace = parseCsvTrace(
      [
        'time,device,lon,lat',
        '2026-05-01T10:00:05Z,wear-b,-1.6,52.8',
        '2026-05-01T10:00:00Z,wear-a,-1.5,52.9',
        '2026-05-01T10:00:06Z,wear-b,-1.61,52.81',
        '2026-05-01T10:00:01Z,wear-a,-1.51,52.91',
      ].join('\n'),
      'fleet.csv',
    );
    expect(
      trace.tracks.map((track) => [track.deviceId, track.points.map((point) => point.fixTimeMs - T0)]),
    ).toEqual([
      ['wear-b', [5000, 6000]],
      ['wear-a', [0, 1000]],
    ]);
  });

  it('allows equal times (non-decreasing) but not a time that goes back, naming both lines', () => {
    expect(() =>
      parseCsvTrace('time,lon,lat\n2026-05-01T10:00:00Z,1,2\n2026-05-01T10:00:00Z,1,2\n', 'walk.csv'),
    ).not.toThrow();
    const error = parseError('time,lon,lat\n2026-05-01T10:00:01Z,1,2\n# gap\n2026-05-01T10:00:00.500Z,1,2\n');
    expect(error.position).toBe('line 4');
    expect(error.message).toBe(
      'walk.csv: line 4: time 2026-05-01T10:00:00.500Z is earlier than the previous fix ' +
        '(line 2, 2026-05-01T10:00:01.000Z); times must not decrease',
    );
  });

  it('names the device when time goes back within one device', () => {
    const error = parseError(
      'time,lon,lat,device\n2026-05-01T10:00:05Z,1,2,a\n2026-05-01T10:00:01Z,1,2,b\n2026-05-01T10:00:04Z,1,2,a\n',
    );
    expect(error.message).toMatch(
      /^walk\.csv: line 4: time .* earlier than the previous fix of device "a" \(line 2,/,
    );
  });

  it.each([
    ['an empty file', '', '', /no header row/],
    ['only comments', '# nothing\n\n', '', /no header row/],
    ['a header without rows', 'time,lon,lat\n', '', /no fixes after the header \(line 1\)/],
    [
      'a missing required column',
      'time,lon\n1,2\n',
      'line 1',
      /lacks required column lat; expected time,lon,lat/,
    ],
    ['two missing columns', 'lon\n1\n', 'line 1', /lacks required columns time, lat/],
    ['a repeated column', 'time,lon,lat,LON\n', 'line 1, column 4', /column "LON" repeats column 2/],
    [
      'too few fields',
      'time,lon,lat\n2026-05-01T10:00:00Z,1\n',
      'line 2',
      /expected 3 fields as in the header \(line 1\), found 2/,
    ],
    ['too many fields', 'time,lon,lat\n2026-05-01T10:00:00Z,1,2,3\n', 'line 2', /found 4/],
    [
      'a bad longitude',
      'time,lon,lat\n2026-05-01T10:00:00Z,abc,52\n',
      'line 2, column 2 (lon)',
      /expected a longitude in \[-180, 180\], found "abc"/,
    ],
    [
      'a longitude out of range',
      'time,lon,lat\n2026-05-01T10:00:00Z,181,52\n',
      'line 2, column 2 (lon)',
      /found "181"/,
    ],
    [
      'a latitude out of range',
      'time,lat,lon\n2026-05-01T10:00:00Z,-91,1\n',
      'line 2, column 2 (lat)',
      /expected a latitude in \[-90, 90\], found "-91"/,
    ],
    [
      'an empty latitude',
      'time,lon,lat\n2026-05-01T10:00:00Z,1,\n',
      'line 2, column 3 (lat)',
      /lat is empty/,
    ],
    ['an empty time', 'time,lon,lat\n,1,2\n', 'line 2, column 1 (time)', /time is empty/],
    [
      'a time without a zone',
      'time,lon,lat\n2026-05-01T10:00:00,1,2\n',
      'line 2, column 1 (time)',
      /expected an ISO 8601 time with a zone .* found "2026-05-01T10:00:00"/,
    ],
    [
      'an impossible date',
      'time,lon,lat\n2026-13-45T10:00:00Z,1,2\n',
      'line 2, column 1 (time)',
      /not a valid date/,
    ],
    [
      'a fractional epoch',
      'time,lon,lat\n1746093600000.5,1,2\n',
      'line 2, column 1 (time)',
      /epoch milliseconds/,
    ],
    [
      'a negative accuracy',
      'time,lon,lat,accuracy_m\n2026-05-01T10:00:00Z,1,2,-1\n',
      'line 2, column 4 (accuracy_m)',
      /expected an accuracy in metres in \[0, 10000\], found "-1"/,
    ],
    [
      'a fractional sequence',
      'time,lon,lat,sequence\n2026-05-01T10:00:00Z,1,2,1.5\n',
      'line 2, column 4 (sequence)',
      /non-negative integer sequence/,
    ],
    [
      'a bad device id',
      'time,lon,lat,device\n2026-05-01T10:00:00Z,1,2,a/b\n',
      'line 2, column 4 (device)',
      /device id may contain only .* found "a\/b"/,
    ],
    [
      'an empty device id',
      'device,time,lon,lat\n,2026-05-01T10:00:00Z,1,2\n',
      'line 2, column 1 (device)',
      /device is empty/,
    ],
    [
      'an unterminated quote',
      'time,lon,lat\n2026-05-01T10:00:00Z,"1,2\n',
      'line 2, column 2',
      /quoted field has no closing quote/,
    ],
    [
      'text after a closing quote',
      'time,lon,lat\n2026-05-01T10:00:00Z,"1"x,2\n',
      'line 2, column 2',
      /unexpected text after the closing quote/,
    ],
    [
      'a sequence on some rows only',
      'time,lon,lat,sequence\n2026-05-01T10:00:00Z,1,2,5\n2026-05-01T10:00:01Z,1,2,\n',
      'line 3',
      /no sequence number, but line 2 has one/,
    ],
  ])('rejects %s with its position', (_case, text, position, message) => {
    const error = parseError(text);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(position ? `walk.csv: ${position}: ` : 'walk.csv: ')).toBe(true);
  });
});

describe('splitCsvLine', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    [' a , b ,c ', ['a', 'b', 'c']],
    ['a,,', ['a', '', '']],
    ['"a,b","say ""hi""" , c', ['a,b', 'say "hi"', 'c']],
    ['""', ['']],
    ['', ['']],
  ])('splits %j', (line, fields) => {
    expect(splitCsvLine(line)).toEqual({ ok: true, fields });
  });
});
