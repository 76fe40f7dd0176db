/**
 * Storage sizes the actions accept: a positive whole number and an optional Kubernetes suffix.
 * Narrower than a quantity on purpose (no decimals or exponents), so the files the actions write
 * stay readable; what a size means is parsed by -common's `parseQuantity`.
 */
export const STORAGE_SIZE_PATTERN =
  /^[1-9][0-9]{0,5}(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/;
