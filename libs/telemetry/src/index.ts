export * from './codec.js';
export * from './device-event.schema.js';
export * from './device-status.js';
export * from './fix.schema.js';
export * from './live-events.js';
export * from './topics.js';
