export * from './types.js';
export * from './default-rules.js';
export * from './glob.js';
export * from './evaluate.js';
export * from './ruleset.js';
