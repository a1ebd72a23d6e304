import { ValueTransformer } from 'typeorm';

/** `bigint` columns arrive from pg as strings; the values stored here are far below 2^53. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};
