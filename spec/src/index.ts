export * from './events.js';
export * from './room-versions.js';
