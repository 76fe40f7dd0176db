export * from './readCloudlabConfig';
