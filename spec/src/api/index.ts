export * from './errors.js';
export * from './endpoint.js';
export * from './openapi.js';
export * as discovery from './client/server-discovery.js';
