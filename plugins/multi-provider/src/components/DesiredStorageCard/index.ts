export * from './DesiredStorageCard';
