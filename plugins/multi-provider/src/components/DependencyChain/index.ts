export * from './DependencyChain';
