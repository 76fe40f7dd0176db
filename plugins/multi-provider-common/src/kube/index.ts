export * from './quantity';
export * from './types';
export * from './slim';
export * from './labelSelector';
export * from './matching';
export * from './entityPods';
