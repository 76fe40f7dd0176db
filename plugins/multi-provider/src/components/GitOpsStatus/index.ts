export * from './GitOpsStatus';
