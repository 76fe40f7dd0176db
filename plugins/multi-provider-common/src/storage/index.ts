export * from './findings';
export * from './slim';
export * from './views';
export * from './volumeSize';
