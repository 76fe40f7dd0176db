/**
 * Pure analyses, API types and permissions of the multi-provider plugin.
 *
 * @packageDocumentation
 */
export * from './registry';
export * from './kube';
export * from './api';
export * from './placement';
export * from './permissions';
export * from './storage';
export * from './docs/markdown';
export * from './docs/generatedDoc';
export * from './gitops';
export * from './links';
export * from './cost';
