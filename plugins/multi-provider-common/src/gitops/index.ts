export * from './annotations';
export * from './slim';
export * from './rollup';
export * from './secretContract';
