export * from './trl.types.js';
export * from './trl.scales.js';
export * from './trl.criteria.js';
export * from './trl.assessment.js';
export * from './trl.registry.js';
