export * from './test-infra';
export * from './ports';
export * from './stack';
export * from './smtp-sink';
export * from './twilio-sink';
