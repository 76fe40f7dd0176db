export * from './schema';
export * from './createProviderRegistry';
export * from './providerOfNode';
