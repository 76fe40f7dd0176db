export { FailureDomainAdvice } from './FailureDomainAdvice';
export type { FailureDomainAdviceProps } from './FailureDomainAdvice';
