export * from './GitOpsPage';
