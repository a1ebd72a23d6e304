import { otelBatchOptions, otelServiceNameSet, otelTracesProtocol } from './otel';

describe('OTEL_* settings', () => {
  it('keeps only the batch settings set to a non-negative number', () => {
    expect(otelBatchOptions({})).toEqual({});
    expect(otelBatchOptions({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_QUEUE_SIZE: ' ', OTEL_BSP_EXPORT_TIMEOUT: '-1' })).toEqual({
      scheduledDelayMillis: 200,
    });
    expect(otelBatchOptions({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'x', OTEL_BSP_MAX_QUEUE_SIZE: '0' })).toEqual({ maxQueueSize: 0 });
  });

  it('takes the traces protocol over the general one, http/protobuf by default', () => {
    expect(otelTracesProtocol({})).toBe('http/protobuf');
    expect(otelTracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(otelTracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: ' http/json ' })).toBe(
      'http/json',
    );
  });

  it('lets a non-blank OTEL_SERVICE_NAME win', () => {
    expect(otelServiceNameSet({ OTEL_SERVICE_NAME: '  ' })).toBe(false);
    expect(otelServiceNameSet({ OTEL_SERVICE_NAME: 'api-eu' })).toBe(true);
  });
});
