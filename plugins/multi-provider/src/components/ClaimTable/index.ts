export * from './ClaimTable';
