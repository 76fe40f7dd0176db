export * from './nodePrice';
export * from './priceAge';
export * from './podShare';
export * from './nodeCost';
export * from './storageCost';
export * from './clusterCost';
export * from './whatIf';
export * from './estimate';
