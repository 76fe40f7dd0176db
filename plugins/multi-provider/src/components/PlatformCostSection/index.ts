export { PlatformCostSection } from './PlatformCostSection';
