export * from './EntitySecretsCard';
