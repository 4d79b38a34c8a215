import type { PlanarZone } from '../behaviour/planar-zone.js';

/**
 * The specs' cess: a safe strip 8 m wide beside a track along the x axis (y from -12 to -4 m, x from -100
 * to 100 m, local frame metres). A walk at y = -8 is inside it; y below -12 or above -4 steps out.
 */
export const CESS: PlanarZone = {
  id: 'cess',
  kind: 'safe',
  geometry: {
    type: 'polygons',
    polygons: [
      [
        [
          { x: -100, y: -12 },
          { x: 100, y: -12 },
          { x: 100, y: -4 },
          { x: -100, y: -4 },
        ],
      ],
    ],
  },
  windows: [],
  appliesTo: [],
};
