export {
  WorkloadIntentList,
  IntentVerdict,
  type WorkloadIntentListProps,
} from './WorkloadIntentList';
