export * from './deepLinks';
