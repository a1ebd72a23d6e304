export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const QUEUE_KEYRING = Symbol('QUEUE_KEYRING');
export const CLOCK = Symbol('CLOCK');

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
