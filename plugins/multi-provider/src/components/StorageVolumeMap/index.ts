export * from './StorageVolumeMap';
