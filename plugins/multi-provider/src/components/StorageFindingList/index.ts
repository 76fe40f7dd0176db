export * from './StorageFindingList';
