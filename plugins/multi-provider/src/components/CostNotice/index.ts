export { CostNotice } from './CostNotice';
