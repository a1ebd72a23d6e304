/**
 * The OpenTelemetry settings this product reads itself, from the standard `OTEL_*` variables (the SDK reads
 * the exporter's own, e.g. OTEL_EXPORTER_OTLP_PROTOCOL). Read before any service config is loaded: tracing
 * starts first in main.ts, so it cannot wait for a service's config schema.
 */

const truthy = (v: string | undefined) => v !== undefined && ['true', '1', 'yes', 'on'].includes(v.trim().toLowerCase());

/** Whether the environment asks for traces (an OTLP endpoint or an explicit traces exporter, and no OTEL_SDK_DISABLED). */
export function otelTracesRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (truthy(env.OTEL_SDK_DISABLED)) return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (exporters.includes('none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || exporters.length > 0);
}

/** The batch span processor's OTEL_BSP_* settings that are set to a non-negative number (others: the SDK's defaults). */
export function otelBatchOptions(env: NodeJS.ProcessEnv = process.env): {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
} {
  const int = (name: string): number | undefined => {
    const raw = env[name]?.trim();
    const n = Number(raw);
    return raw && Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const o = {
    scheduledDelayMillis: int('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: int('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: int('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: int('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else `http/protobuf`. */
export function otelTracesProtocol(env: NodeJS.ProcessEnv = process.env): string {
  return (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
}

/** Whether OTEL_SERVICE_NAME names the service (it then wins over the built-in name). */
export function otelServiceNameSet(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_SERVICE_NAME?.trim());
}
