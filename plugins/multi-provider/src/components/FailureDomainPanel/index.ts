export {
  FailureDomainPanel,
  type FailureDomainPanelProps,
} from './FailureDomainPanel';
