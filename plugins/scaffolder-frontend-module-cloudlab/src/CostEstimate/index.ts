export {
  CostEstimate,
  COST_ESTIMATE_FIELD_NAME,
  estimateRequest,
} from './CostEstimate';
