import type { ZoneInput } from '../../apps/server/src/geofences/zone.dto.js';

/** A safe zone about 68 m x 55 m around (-1.5, 52.9). */
export const SAFE_BOX: ZoneInput['geometry'] = {
  type: 'Polygon',
  coordinates: [
    [
      [-1.5005, 52.89975],
      [-1.4995, 52.89975],
      [-1.4995, 52.90025],
      [-1.5005, 52.90025],
      [-1.5005, 52.89975],
    ],
  ],
};

export const INSIDE = { lon: -1.5, lat: 52.9 };
/** About 68 m east of the zone's east edge. */
export const OUTSIDE = { lon: -1.4985, lat: 52.9 };

export function fixPayload(
  at: Date,
  position: { lon: number; lat: number },
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({ fixTime: at.toISOString(), ...position, accuracyM: 3, ...extra });
}
