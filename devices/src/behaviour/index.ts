export * from './local-frame.js';
export * from './planar-zone.js';
export * from './seeded-random.js';
export * from './virtual-battery.js';
export * from './virtual-wearable.js';
export * from './wearable-model.js';
