import { groundTruthEnvelopeSchema } from './kpi.dto.js';
import { checkGroundTruthRows, MAX_REJECTED_DETAILS } from './kpi.ground-truth.js';

const position = (sequence: number, deviceId = 'd1') => ({
  deviceId,
  sequence,
  trueTime: '2026-01-01T00:00:00Z',
  fixTime: '2026-01-01T00:00:00Z',
  trueLon: -1.5,
  trueLat: 52.9,
});

const envelope = (document: Record<string, unknown>, deviceIds: Record<string, string> = {}) =>
  groundTruthEnvelopeSchema.parse({
    trialId: '00000000-0000-4000-8000-000000000001',
    deviceIds,
    document: {
      format: 'lookout-ground-truth/1',
      startTime: '2026-01-01T00:00:00Z',
      endTime: '2026-01-01T01:00:00Z',
      crossings: [],
      ...document,
    },
  });

describe('checkGroundTruthRows', () => {
  it('keeps every good row and names each bad one by section, index and field', () => {
    const checked = checkGroundTruthRows(
      envelope({
        crossings: [
          {
            deviceId: 'd1',
            timeOut: '2026-01-01T00:01:00Z',
            timeBackIn: '2026-01-01T00:00:59Z',
            durationMs: 1,
          },
          { deviceId: 'd1', timeOut: '2026-01-01T00:01:00Z', timeBackIn: null, durationMs: 5 },
        ],
        positions: [position(1), { ...position(2), trueLat: 91 }, position(3)],
        dropped: [{ deviceId: 'd1', sequence: 4, trueTime: '2026-01-01T00:00:00Z' }],
      }),
    );
    expect(checked.input.document.crossings).toHaveLength(1);
    expect(checked.input.document.positions.map((p) => p.sequence)).toEqual([1, 3]);
    expect(checked.input.document.dropped).toEqual([]);
    expect(checked.rejectedCount).toBe(3);
    expect(checked.rejected.map((row) => row.path)).toEqual([
      'document.crossings.0.timeBackIn',
      'document.positions.1.trueLat',
      'document.dropped.0.reason',
    ]);
  });

  it('refuses a repeated (device, sequence) across positions and dropped fixes, after mapping ids', () => {
    const checked = checkGroundTruthRows(
      envelope(
        {
          positions: [position(1, 'scenario-a'), position(1, 'lookout-a')],
          dropped: [
            { deviceId: 'lookout-a', sequence: 2, trueTime: '2026-01-01T00:00:00Z', reason: 'x' },
            {
              deviceId: 'scenario-a',
              sequence: 2,
              trueTime: '2026-01-01T00:00:00Z',
              reason: 'y',
            },
          ],
        },
        { 'scenario-a': 'lookout-a' },
      ),
    );
    expect(checked.rejected).toEqual([
      {
        section: 'positions',
        index: 1,
        path: 'document.positions.1.sequence',
        message: 'device lookout-a sequence 1 repeats document.positions.0',
      },
      {
        section: 'dropped',
        index: 1,
        path: 'document.dropped.1.sequence',
        message: 'device scenario-a sequence 2 repeats document.dropped.0',
      },
    ]);
  });

  it('counts every refused row but describes at most the first thousand', () => {
    const bad = Array.from({ length: MAX_REJECTED_DETAILS + 5 }, () => ({ deviceId: 'd1' }));
    const checked = checkGroundTruthRows(envelope({ positions: bad }));
    expect(checked.rejectedCount).toBe(MAX_REJECTED_DETAILS + 5);
    expect(checked.rejected).toHaveLength(MAX_REJECTED_DETAILS);
  });
});
