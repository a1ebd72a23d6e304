import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  dockerfileStages,
  knownVariables,
  loadServiceConfig,
  parseYaml,
  parseYamlDocuments,
  read,
  requiredInProduction,
  ROOT,
  SERVICES,
  ServiceName,
} from './deploy-helpers';

/**
 * deploy/kubernetes, checked without a cluster: the manifests parse, every service has a Deployment with
 * probes on its health endpoints and a hardened pod, Services and ports line up, and each container's
 * environment (ConfigMap + Secret) satisfies the service's own config schema in production.
 */
const DIR = 'deploy/kubernetes';

type Probe = { httpGet?: { path: string; port: string | number } };
type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
};
type Container = {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
};
type PodSpec = {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  restartPolicy?: string;
  automountServiceAccountToken?: boolean;
};
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    ports?: Array<{ name?: string; port: number; targetPort: string | number }>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

const kustomization = parseYaml(read(`${DIR}/kustomization.yaml`)) as { resources: string[]; images: Array<{ name: string }>; namespace: string };
const manifests = kustomization.resources.flatMap((f) => parseYamlDocuments(read(`${DIR}/${f}`)) as Manifest[]);
const secretExample = parseYamlDocuments(read(`${DIR}/secret.example.yaml`))[0] as Manifest;
const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const configMaps = manifests.filter((m) => m.kind === 'ConfigMap');

const deploymentOf = (service: ServiceName) => find('Deployment', `twostep-${service}`)!;
const containerOf = (service: ServiceName) => deploymentOf(service).spec!.template!.spec.containers[0];

/** Valid values for the Secret's keys, as an operator would fill them in. */
const SECRET_SAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgres://twostep:pw@db.internal:5432/twostep',
  REDIS_URL: 'redis://:pw@redis.internal:6379',
  APP_API_KEY: 'a'.repeat(64),
  MFA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  QUEUE_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
  MFA_RPC_KEY: Buffer.alloc(32, 3).toString('base64'),
  JWT_SIGNING_KEY: Buffer.alloc(32, 4).toString('base64'),
  SMTP_URL: 'smtps://user:pw@smtp.example.com:465',
  TWILIO_ACCOUNT_SID: '',
  TWILIO_AUTH_TOKEN: '',
  TWILIO_FROM: '',
};

/** The environment the container gets: envFrom ConfigMaps, then `env` (values and references resolved). */
function resolvedEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    expect(from.secretRef).toBeUndefined(); // each service picks its secrets key by key
    const cm = configMaps.find((m) => m.metadata.name === from.configMapRef?.name);
    expect(cm).toBeDefined();
    Object.assign(env, cm!.data);
  }
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = String(v.value);
    const secretRef = v.valueFrom?.secretKeyRef;
    if (secretRef) {
      expect(secretRef.name).toBe(secretExample.metadata.name);
      expect(Object.keys(secretExample.stringData ?? {})).toContain(secretRef.key);
      expect(Object.keys(SECRET_SAMPLES)).toContain(secretRef.key);
      env[v.name] = SECRET_SAMPLES[secretRef.key];
    }
    const cmRef = v.valueFrom?.configMapKeyRef;
    if (cmRef) env[v.name] = configMaps.find((m) => m.metadata.name === cmRef.name)!.data![cmRef.key];
  }
  return env;
}

function portNumber(container: Container, port: string | number): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

function expectHardenedPod(spec: PodSpec) {
  expect(spec.securityContext?.runAsNonRoot).toBe(true);
  expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
  expect(spec.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
  expect(spec.automountServiceAccountToken).toBe(false);
  for (const c of spec.containers) {
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources?.requests?.cpu).toBeDefined();
    expect(c.resources?.requests?.memory).toBeDefined();
    expect(c.resources?.limits?.memory).toBeDefined();
  }
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('lists every manifest in kustomization.yaml (except the Secret example) and each one parses', () => {
    const files = readdirSync(join(ROOT, DIR)).filter((f) => f.endsWith('.yaml'));
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => !['kustomization.yaml', 'secret.example.yaml'].includes(f)).sort());
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    for (const m of manifests) {
      expect(typeof m.apiVersion).toBe('string');
      expect(typeof m.metadata?.name).toBe('string');
    }
    expect(find('Namespace', kustomization.namespace)).toBeDefined();
  });

  it.each(SERVICES)('%s: Deployment with liveness, readiness and startup probes on its health endpoints', (service) => {
    const d = deploymentOf(service);
    expect(d).toBeDefined();
    const labels = d.spec!.template!.metadata!.labels!;
    expect(d.spec!.selector!.matchLabels).toEqual(labels);
    const c = containerOf(service);
    const env = resolvedEnv(c);
    const healthPort = service === 'auth-api' ? Number(env.PORT) : Number(env.HEALTH_PORT);
    expect(healthPort).toBeGreaterThan(0);
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(c.startupProbe?.httpGet?.path).toBe('/health/live');
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) expect(portNumber(c, probe!.httpGet!.port)).toBe(healthPort);
    expect(c.image).toBe(`twostep-${service}`);
  });

  it.each(SERVICES)('%s: runs as non-root with a read-only root filesystem, no privileges and resource limits', (service) => {
    expectHardenedPod(deploymentOf(service).spec!.template!.spec);
  });

  it.each(SERVICES)('%s: gets every variable it requires in production, with values its config accepts', (service) => {
    const env = resolvedEnv(containerOf(service));
    expect(env.NODE_ENV).toBe('production');
    expect(requiredInProduction(service).filter((v) => !env[v])).toEqual([]);
    const known = knownVariables(service);
    const own = (containerOf(service).env ?? []).map((v) => v.name);
    expect(own.filter((v) => !known.has(v))).toEqual([]);
    expect(() => loadServiceConfig(service, env)).not.toThrow();
  });

  it('ConfigMap holds no secrets, and each secret goes only to the service that needs it', () => {
    const cmKeys = configMaps.flatMap((m) => Object.keys(m.data ?? {}));
    for (const secret of Object.keys(SECRET_SAMPLES)) expect(cmKeys).not.toContain(secret);
    const usersOf = (key: string) => SERVICES.filter((s) => (containerOf(s).env ?? []).some((v) => v.valueFrom?.secretKeyRef?.key === key));
    expect(usersOf('MFA_ENCRYPTION_KEY')).toEqual(['mfa-service']);
    expect(usersOf('APP_API_KEY')).toEqual(['auth-api']);
    expect(usersOf('QUEUE_ENCRYPTION_KEY')).toEqual([...SERVICES]);
    expect(usersOf('DATABASE_URL').sort()).toEqual(['auth-api', 'mfa-service']);
  });

  it('Services select their pods and point at declared container ports', () => {
    for (const service of SERVICES) {
      const svc = find('Service', `twostep-${service}`);
      expect(svc).toBeDefined();
      const podLabels = deploymentOf(service).spec!.template!.metadata!.labels!;
      for (const [k, v] of Object.entries(svc!.spec!.selector as Record<string, string>)) expect(podLabels[k]).toBe(v);
      for (const p of svc!.spec!.ports!) expect(portNumber(containerOf(service), p.targetPort)).toEqual(expect.any(Number));
    }
  });

  it('auth-api reaches mfa-service through its Service, on the port mfa-service listens on', () => {
    const authEnv = resolvedEnv(containerOf('auth-api'));
    const mfaEnv = resolvedEnv(containerOf('mfa-service'));
    const url = new URL(authEnv.MFA_SERVICE_URL);
    const svc = find('Service', url.hostname);
    expect(svc).toBeDefined();
    const port = svc!.spec!.ports!.find((p) => p.port === Number(url.port));
    expect(port).toBeDefined();
    const rpcPort = portNumber(containerOf('mfa-service'), port!.targetPort);
    expect(rpcPort).toBe(Number(new URL(mfaEnv.MFA_SERVICE_URL).port));
    expect(mfaEnv.MFA_LISTEN_HOST).toBe('0.0.0.0');
    expect(authEnv.HOST).toBe('0.0.0.0');
    const policy = find('NetworkPolicy', 'twostep-mfa-service') as unknown as {
      spec: { ingress: Array<{ from?: Array<{ podSelector: { matchLabels: Record<string, string> } }>; ports: Array<{ port: number }> }> };
    };
    const rpcRule = policy.spec.ingress.find((r) => r.ports.some((p) => p.port === rpcPort));
    expect(rpcRule?.from?.map((f) => f.podSelector.matchLabels)).toEqual([deploymentOf('auth-api').spec!.template!.metadata!.labels]);
  });

  it('migration Job runs the migrate image once with DATABASE_URL, hardened like the services', () => {
    const job = find('Job', 'twostep-migrate')!;
    expect(job).toBeDefined();
    const spec = job.spec!.template!.spec;
    expect(spec.restartPolicy).toBe('Never');
    const c = spec.containers[0];
    expect(c.image).toBe('twostep-migrate');
    const env = resolvedEnv(c);
    expect(() => loadServiceConfig('migrate', env)).not.toThrow();
    expectHardenedPod(spec);
  });

  it('uses images that the Dockerfile builds and kustomization.yaml can retag', () => {
    const targets = dockerfileStages(read('Dockerfile')).map((s) => s.name);
    const images = manifests.flatMap((m) => m.spec?.template?.spec.containers.map((c) => c.image) ?? []);
    expect(images.length).toBe(4);
    for (const image of images) {
      expect(targets).toContain(image.replace(/^twostep-/, ''));
      expect(kustomization.images.map((i) => i.name)).toContain(image);
    }
  });
});
