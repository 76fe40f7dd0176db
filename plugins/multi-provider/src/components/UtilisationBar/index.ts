export { UtilisationBar, type UtilisationBarProps } from './UtilisationBar';
export { levelColor } from './levelColor';
