// @parley/federation: the server-server API, talking to the rest through ports.ts.
export * from './ports.js';
export * from './http.js';
export * from './discovery.js';
export * from './client.js';
export * from './request-auth.js';
export * from './keys/server-keys.js';
export * from './keys/own-keys.js';
export * from './keys/key-ring.js';
export * from './keys/notary.js';
