import { contextFromCarrier, scrubAttributes, stripQuery, traceCarrier, tracingEnabled, tracingRequested } from './tracing';

describe('tracing configuration (standard OTEL_* variables only)', () => {
  it('is off unless an OTLP endpoint or a traces exporter is named, and OTEL_SDK_DISABLED or `none` wins', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
  });

  it('off, the RPC envelope gets no trace fields and a received one changes nothing', () => {
    expect(tracingEnabled()).toBe(false);
    expect(traceCarrier()).toEqual({});
    expect(() => contextFromCarrier({ traceparent: 'garbage', tracestate: 42 })).not.toThrow();
  });
});

describe('span attribute scrubbing', () => {
  it('cuts query strings off URLs and drops query and parameter attributes', () => {
    const a: Record<string, unknown> = {
      'http.url': 'http://h/v1/account/verification?userId=u1&secret=abc',
      'http.target': '/v1/account/recovery?secret=abc#x',
      'url.full': 'https://h/v1/x?token=1',
      'url.query': 'secret=abc',
      'db.statement.parameters': '["a@b.example"]',
      'http.method': 'PUT',
      'http.status_code': 200,
    };
    scrubAttributes(a);
    expect(a).toEqual({
      'http.url': 'http://h/v1/account/verification',
      'http.target': '/v1/account/recovery',
      'url.full': 'https://h/v1/x',
      'http.method': 'PUT',
      'http.status_code': 200,
    });
    expect(stripQuery('/a/b')).toBe('/a/b');
  });

  it('scrubs emails, phone numbers, codes and long tokens out of any string attribute', () => {
    const a: Record<string, unknown> = {
      'exception.message': 'no user a.b@example.test with +14155550123, code 123456',
      list: ['x', 'k'.repeat(40)],
      'db.query.text': 'SELECT 1 FROM users WHERE email = $1',
    };
    scrubAttributes(a);
    expect(a['exception.message']).toBe('no user [redacted] with [redacted], code [redacted]');
    expect(a.list).toEqual(['x', '[redacted]']);
    expect(a['db.query.text']).toBe('SELECT 1 FROM users WHERE email = $1');
  });
});
