export * from './EntityGitOpsContent';
