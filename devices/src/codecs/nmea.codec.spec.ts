import fc from 'fast-check';
import { contextFor, encodableBatch, expectFixClose } from '../testing/fix.arbitrary.js';
import { fixtureBytes, utf8 } from '../testing/fixtures.js';
import { NMEA_UERE_M, nmeaCodec } from './nmea.codec.js';

const context = { deviceId: 'gnss-1', receivedAtMs: Date.parse('2026-11-21T18:00:00Z') };
const classicGga = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47';
const classicRmc = '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A';

/** Builds a sentence with a correct checksum from its body (an independent XOR). */
function sentence(body: string): string {
  let sum = 0;
  for (const char of body.slice(1)) sum ^= char.charCodeAt(0);
  return `${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

describe('NMEA 0183 codec', () => {
  it('merges the classic GGA and RMC of one epoch into one fix dated by RMC', () => {
    const result = nmeaCodec.decode(fixtureBytes('nmea', 'classic-gga-rmc.nmea'), context);
    expect(result.rejected).toEqual([]);
    expect(result.fixes).toHaveLength(1);
    const fix = result.fixes[0]!;
    expect(fix).toMatchObject({
      deviceId: 'gnss-1',
      fixTimeMs: Date.parse('1994-03-23T12:35:19Z'),
      fixType: '3d',
      satellites: 8,
      altitudeM: 545.4,
      headingDeg: 84.4,
    });
    expect(fix.lat).toBeCloseTo(48 + 7.038 / 60, 10);
    expect(fix.lon).toBeCloseTo(11 + 31 / 60, 10);
    expect(fix.speedMps).toBeCloseTo((22.4 * 1852) / 3600, 10);
    // No GST: 2 × HDOP × UERE.
    expect(fix.accuracyM).toBeCloseTo(2 * 0.9 * NMEA_UERE_M, 10);
  });

  it('takes accuracy from GST and dates a GGA without RMC by the receive day', () => {
    const result = nmeaCodec.decode(fixtureBytes('nmea', 'trimble-gga-gst.nmea'), context);
    expect(result.rejected).toEqual([]);
    const fix = result.fixes[0]!;
    expect(fix.fixTimeMs).toBe(Date.parse('2026-11-21T17:28:14Z'));
    expect(fix.fixType).toBe('dgps');
    expect(fix.satellites).toBe(6);
    expect(fix.lat).toBeCloseTo(37 + 23.46587704 / 60, 10);
    expect(fix.lon).toBeCloseTo(-(122 + 2.26957864 / 60), 10);
    expect(fix.accuracyM).toBeCloseTo(2.4477 * Math.sqrt((0.023 ** 2 + 0.02 ** 2) / 2), 4);
  });

  it('dates a GGA across midnight by the nearest day to the receive time', () => {
    const gga = sentence('$GPGGA,235959.50,5200.000,N,00100.000,W,1,09,1.0,50.0,M,0.0,M,,');
    const result = nmeaCodec.decode(utf8(gga), {
      deviceId: 'gnss-1',
      receivedAtMs: Date.parse('2026-11-22T00:00:01Z'),
    });
    expect(result.fixes[0]?.fixTimeMs).toBe(Date.parse('2026-11-21T23:59:59.500Z'));
  });

  it('rejects an RMC-only epoch with no accuracy, and a GST with no position', () => {
    const rmcOnly = nmeaCodec.decode(fixtureBytes('nmea', 'gpsd-rmc-only.nmea'), context);
    expect(rmcOnly.rejected).toEqual([
      { index: 1, reason: 'line 1: no accuracy: epoch 225446 has neither GST lat/lon errors nor GGA HDOP' },
    ]);
    const gstOnly = nmeaCodec.decode(fixtureBytes('nmea', 'ublox-gst-only.nmea'), context);
    expect(gstOnly.rejected).toEqual([
      { index: 1, reason: 'line 1: epoch 091200.54 has GST but no GGA or RMC: no position' },
    ]);
  });

  it('names the line of a bad checksum and keeps the good epochs', () => {
    const lines = [
      classicGga,
      classicRmc.replace('*6A', '*6B'),
      '$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74',
      sentence('$GPGGA,123520,4807.040,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'),
      'garbage',
      sentence('$GPGGA,123521,4807.042,N,01131.000,E,0,00,,,M,,M,,'),
      sentence('$GPRMC,123522,V,,,,,,,230394,,,N'),
      sentence('$GPGGA,123523,4807.044,N,01131.000,E,6,04,2.0,545.4,M,46.9,M,,'),
      '$GPGGA,123524,4807.046,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,',
      sentence('$GPGGA,1235xx,4807.046,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'),
    ];
    const result = nmeaCodec.decode(utf8(lines.join('\r\n')), context);
    expect(result.fixes.map((fix) => fix.lat)).toEqual([48 + 7.038 / 60, 48 + 7.04 / 60]);
    expect(result.rejected).toEqual([
      { index: 2, reason: 'line 2: checksum mismatch: computed *6A, sentence has *6B' },
      { index: 5, reason: 'line 5: not an NMEA sentence: must start with "$"' },
      { index: 6, reason: 'line 6: no fix: GGA quality 0 in epoch 123521' },
      { index: 7, reason: 'line 7: no fix: RMC status V in epoch 123522' },
      { index: 8, reason: 'line 8: no GNSS fix: GGA quality 6 (estimated) in epoch 123523' },
      { index: 9, reason: 'line 9: missing checksum: the sentence must end with *hh' },
      { index: 10, reason: 'line 10: GGA time "1235xx" is not hhmmss[.sss]' },
    ]);
  });

  it('rejects a message with no sentence it uses, rather than dropping it silently', () => {
    const gsv = '$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74';
    expect(nmeaCodec.decode(utf8(gsv), context).rejected).toEqual([
      { index: -1, reason: 'message has no GGA, RMC or GST sentence' },
    ]);
  });

  it('rejects a second GGA for the same epoch and invalid UTF-8', () => {
    const result = nmeaCodec.decode(utf8(`${classicGga}\n${classicGga}\n`), context);
    expect(result.fixes).toHaveLength(1);
    expect(result.rejected).toEqual([{ index: 2, reason: 'line 2: second GGA for epoch 123519' }]);
    expect(nmeaCodec.decode(new Uint8Array([0x24, 0xff]), context).rejected[0]?.reason).toMatch(
      /not UTF-8 text/,
    );
  });

  it('round-trips GGA + RMC + GST within NMEA precision', () => {
    fc.assert(
      fc.property(
        encodableBatch(
          { fixTypes: ['2d', '3d', 'dgps', 'rtk-float', 'rtk-fixed'], maxAccuracyM: 9999 },
          86_400_000,
        ),
        (fixes) => {
          const decoded = nmeaCodec.decode(nmeaCodec.encode!(fixes), contextFor(fixes));
          expect(decoded.rejected).toEqual([]);
          expect(decoded.fixes).toHaveLength(fixes.length);
          fixes.forEach(({ batteryPct: _b, sequence: _s, ...fix }, index) =>
            expectFixClose(
              decoded.fixes[index],
              { ...fix, fixType: fix.fixType === '2d' || fix.fixType === undefined ? '3d' : fix.fixType },
              { lat: 1e-8, lon: 1e-8, accuracyM: 2e-5, altitudeM: 5e-4, speedMps: 3e-5, headingDeg: 5e-4 },
            ),
          );
        },
      ),
    );
  });
});
