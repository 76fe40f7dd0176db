export * from './loadProviderRegistry';
