export {
  DataLocalityCard,
  dataLocality,
  type DataLocalityCardProps,
} from './DataLocalityCard';
