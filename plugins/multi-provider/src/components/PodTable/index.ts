export { PodTable, type PodTableProps } from './PodTable';
