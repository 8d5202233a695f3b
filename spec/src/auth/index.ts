export * from './auth-events.js';
export * from './result.js';
export * from './rules.js';
export { RoomAuthState } from './context.js';
