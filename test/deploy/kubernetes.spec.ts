import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  dockerfileStages,
  K8sObject,
  knownVariables,
  loadServiceConfig,
  parseEnvFile,
  parseYaml,
  parseYamlDocuments,
  read,
  renderKustomization,
  requiredInProduction,
  ROOT,
  SERVICES,
  ServiceName,
  validateAgainstSchema,
} from './deploy-helpers';

/**
 * deploy/kubernetes, checked without a cluster: the kustomization renders (kustomize's subset in
 * deploy-helpers, compared with `kubectl kustomize` where kubectl is installed), every object validates
 * against the Kubernetes OpenAPI schemas (kubernetes-models), and the rendered objects have what rollouts,
 * disruptions and scaling need; each container's environment satisfies the service's own config schema.
 */
const DIR = 'deploy/kubernetes';

type Probe = { httpGet?: { path: string; port: string | number }; periodSeconds?: number; failureThreshold?: number };
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
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
};
type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  restartPolicy?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: Array<{ topologyKey: string; maxSkew: number; labelSelector: { matchLabels: Record<string, string> } }>;
};
type Manifest = K8sObject & {
  metadata: { name: string; labels?: Record<string, string>; namespace?: string };
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    ports?: Array<{ name?: string; port: number; targetPort: string | number }>;
    clusterIP?: string;
    maxUnavailable?: number;
    minAvailable?: number;
    scaleTargetRef?: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: Array<{ type: string; resource?: { name: string } }>;
    strategy?: { rollingUpdate?: { maxUnavailable?: number | string } };
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

const kustomization = parseYaml(read(`${DIR}/kustomization.yaml`)) as {
  resources: string[];
  namespace: string;
  images: Array<{ name: string }>;
};
const manifests = renderKustomization(DIR) as Manifest[];
const secretExample = parseYamlDocuments(read(`${DIR}/secret.example.yaml`))[0] as Manifest;
const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const configMaps = manifests.filter((m) => m.kind === 'ConfigMap');

const deploymentOf = (service: ServiceName) => find('Deployment', `twostep-${service}`)!;
const podOf = (service: ServiceName) => deploymentOf(service).spec!.template!.spec;
const containerOf = (service: ServiceName) => podOf(service).containers[0];
const podLabelsOf = (service: ServiceName) => deploymentOf(service).spec!.template!.metadata!.labels!;

/** Valid values for the Secret's keys, as an operator would fill them in (Twilio left empty). */
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
  TWILIO_MESSAGING_SERVICE_SID: '',
};
/** The same Secret with Twilio filled in (what used to crash-loop the notifier). */
const WITH_TWILIO = {
  ...SECRET_SAMPLES,
  TWILIO_ACCOUNT_SID: `AC${'b'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'c'.repeat(32),
  TWILIO_FROM: '+15551234567',
};

/** The environment the container gets: envFrom ConfigMaps, then `env` (values and references resolved). */
function resolvedEnv(container: Container, secrets: Record<string, string> = SECRET_SAMPLES): Record<string, string> {
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
      expect(Object.keys(secrets)).toContain(secretRef.key);
      env[v.name] = secrets[secretRef.key];
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
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources?.requests?.cpu).toBeDefined();
    expect(c.resources?.requests?.memory).toBeDefined();
    expect(c.resources?.limits?.memory).toBeDefined();
  }
}

/** Seconds a service may spend finishing in-flight work after its drain (the graceMs its main.ts passes). */
const SHUTDOWN_GRACE_SECONDS: Record<ServiceName, (env: Record<string, string>) => number> = {
  'auth-api': () => 25,
  'mfa-service': (env) => Number(env.MFA_SHUTDOWN_GRACE_MS ?? 10_000) / 1000 + 15,
  notifier: () => 60,
};

function preStopSeconds(c: Container): number {
  const preStop = c.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const [cmd, seconds] = preStop?.exec?.command ?? [];
  expect(cmd).toBe('sleep');
  return Number(seconds);
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('lists every manifest in kustomization.yaml (except the Secret example) and renders them into the namespace', () => {
    const files = readdirSync(join(ROOT, DIR)).filter((f) => f.endsWith('.yaml'));
    expect([...kustomization.resources].sort()).toEqual(
      files.filter((f) => !['kustomization.yaml', 'secret.example.yaml'].includes(f)).sort(),
    );
    expect(find('Namespace', kustomization.namespace)).toBeDefined();
    for (const m of manifests.filter((o) => o.kind !== 'Namespace'))
      expect({ m: m.metadata.name, ns: m.metadata.namespace }).toEqual({ m: m.metadata.name, ns: kustomization.namespace });
  });

  it('validates every rendered object, and the Secret example, against the Kubernetes schemas', () => {
    for (const m of [...manifests, secretExample]) expect(() => validateAgainstSchema(m)).not.toThrow();
    // the validation can fail: a port given as a string is refused
    const broken = JSON.parse(JSON.stringify(deploymentOf('auth-api'))) as Manifest;
    (broken.spec!.template!.spec.containers[0].ports![0] as { containerPort: unknown }).containerPort = 'http';
    expect(() => validateAgainstSchema(broken)).toThrow(/containerPort/);
  });

  it('renders what `kubectl kustomize` renders (where kubectl is installed), apart from the generated name hash', () => {
    let kubectl: string | undefined;
    try {
      kubectl = execFileSync('kubectl', ['kustomize', join(ROOT, DIR)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      kubectl = undefined; // not installed: the subset renderer alone decides
    }
    const normalise = (objects: K8sObject[]) =>
      JSON.parse(JSON.stringify(objects).replace(/twostep-config-[a-z0-9]{10}/g, 'twostep-config-HASH')) as K8sObject[];
    const byKey = (objects: K8sObject[]) => Object.fromEntries(normalise(objects).map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    const ours = byKey(manifests);
    expect(Object.keys(ours).length).toBeGreaterThan(10);
    if (kubectl !== undefined) expect(byKey(parseYamlDocuments(kubectl) as K8sObject[])).toEqual(ours);
  });

  it('generates the ConfigMap with a content hash in its name, so a change to config.env rolls every pod', () => {
    const name = configMaps[0].metadata.name;
    expect(name).toMatch(/^twostep-config-[a-z0-9]{10}$/);
    for (const service of SERVICES) expect(containerOf(service).envFrom?.[0].configMapRef?.name).toBe(name);
    const changed = renderKustomization(DIR, { 'config.env': `${read(`${DIR}/config.env`)}\nLOG_LEVEL=debug\n` }) as Manifest[];
    const changedName = changed.find((m) => m.kind === 'ConfigMap')!.metadata.name;
    expect(changedName).not.toBe(name);
    expect(
      changed.find((m) => m.metadata.name === 'twostep-auth-api' && m.kind === 'Deployment')!.spec!.template!.spec.containers[0]
        .envFrom?.[0].configMapRef?.name,
    ).toBe(changedName);
  });

  it.each(SERVICES)('%s: probes, health and metrics on the management port (HEALTH_PORT), not on the public one', (service) => {
    const c = containerOf(service);
    const env = resolvedEnv(c);
    const healthPort = Number(env.HEALTH_PORT);
    expect(healthPort).toBe({ 'auth-api': 3010, 'mfa-service': 3011, notifier: 3012 }[service]);
    expect(env.HEALTH_HOST).toBe('0.0.0.0');
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(c.startupProbe?.httpGet?.path).toBe('/health/live');
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) expect(portNumber(c, probe!.httpGet!.port)).toBe(healthPort);
    const annotations = deploymentOf(service).spec!.template!.metadata!.annotations!;
    expect(annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(healthPort),
      'prometheus.io/path': '/metrics',
    });
    expect(c.image).toBe(`twostep-${service}:0.1.0`);
    if (service === 'auth-api') expect(Number(env.PORT)).not.toBe(healthPort);
  });

  it.each(SERVICES)(
    '%s: rollouts drop nothing: preStop sleep, readiness false within the drain, and a grace period covering preStop + drain + in-flight work',
    (service) => {
      const pod = podOf(service);
      const c = containerOf(service);
      const env = resolvedEnv(c);
      const drainSeconds = Number(env.SHUTDOWN_DRAIN_MS) / 1000;
      expect(drainSeconds).toBeGreaterThan(0);
      const preStop = preStopSeconds(c);
      expect(preStop).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + drainSeconds + SHUTDOWN_GRACE_SECONDS[service](env));
      // Kubernetes sees the pod unready before the drain ends
      expect(c.readinessProbe!.periodSeconds! * c.readinessProbe!.failureThreshold!).toBeLessThan(drainSeconds);
      expect(deploymentOf(service).spec!.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    },
  );

  it.each(SERVICES)('%s: a PodDisruptionBudget keeps all but one replica through voluntary disruptions', (service) => {
    const pdbs = manifests.filter(
      (m) =>
        m.kind === 'PodDisruptionBudget' && Object.entries(m.spec!.selector!.matchLabels!).every(([k, v]) => podLabelsOf(service)[k] === v),
    );
    expect(pdbs).toHaveLength(1);
    const spec = pdbs[0].spec!;
    expect(spec.maxUnavailable === 1 || (spec.minAvailable ?? 0) >= 1).toBe(true);
  });

  it.each(SERVICES)('%s: replicas spread across nodes (and zones)', (service) => {
    const spread = podOf(service).topologySpreadConstraints ?? [];
    const byNode = spread.find((t) => t.topologyKey === 'kubernetes.io/hostname');
    expect(byNode?.maxSkew).toBe(1);
    expect(byNode?.labelSelector.matchLabels).toEqual(podLabelsOf(service));
    expect(spread.map((t) => t.topologyKey)).toContain('topology.kubernetes.io/zone');
  });

  it('autoscales auth-api and mfa-service on CPU from two replicas, and leaves their replica count to the autoscaler', () => {
    for (const service of ['auth-api', 'mfa-service'] as const) {
      const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.spec!.scaleTargetRef!.name === `twostep-${service}`);
      expect(hpa?.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment' }, minReplicas: 2 });
      expect(hpa!.spec!.maxReplicas!).toBeGreaterThan(2);
      expect(hpa!.spec!.metrics).toEqual([
        expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
      ]);
      expect(deploymentOf(service).spec!.replicas).toBeUndefined();
    }
    expect(deploymentOf('notifier').spec!.replicas).toBeGreaterThanOrEqual(2);
    expect(read(`${DIR}/hpa.yaml`)).toMatch(/KEDA/);
  });

  it.each(SERVICES)('%s: runs as non-root with a read-only root filesystem, no privileges and resource limits', (service) => {
    expectHardenedPod(podOf(service));
  });

  it.each(SERVICES)(
    '%s: gets every variable it requires in production, with values its config accepts (Twilio empty or filled in)',
    (service) => {
      for (const secrets of [SECRET_SAMPLES, WITH_TWILIO]) {
        const env = resolvedEnv(containerOf(service), secrets);
        expect(env.NODE_ENV).toBe('production');
        expect(requiredInProduction(service).filter((v) => !env[v])).toEqual([]);
        expect(() => loadServiceConfig(service, env)).not.toThrow();
      }
      const known = knownVariables(service);
      const own = (containerOf(service).env ?? []).map((v) => v.name);
      expect(own.filter((v) => !known.has(v))).toEqual([]);
    },
  );

  it('listens on the pod network, trusts exactly one proxy hop, and drains 5 s in production', () => {
    const auth = resolvedEnv(containerOf('auth-api'));
    expect(auth.HOST).toBe('0.0.0.0');
    expect(auth.TRUST_PROXY).toBe('1');
    expect(resolvedEnv(containerOf('mfa-service')).MFA_LISTEN_HOST).toBe('0.0.0.0');
    expect(parseEnvFile(read(`${DIR}/config.env`)).SHUTDOWN_DRAIN_MS).toBe('5000');
  });

  it('ConfigMap holds no secrets, and each secret goes only to the services that need it', () => {
    const cmKeys = configMaps.flatMap((m) => Object.keys(m.data ?? {}));
    for (const secret of Object.keys(SECRET_SAMPLES)) expect(cmKeys).not.toContain(secret);
    const usersOf = (key: string) => SERVICES.filter((s) => (containerOf(s).env ?? []).some((v) => v.valueFrom?.secretKeyRef?.key === key));
    expect(usersOf('MFA_ENCRYPTION_KEY')).toEqual(['mfa-service']);
    expect(usersOf('APP_API_KEY')).toEqual(['auth-api']);
    expect(usersOf('MFA_RPC_KEY').sort()).toEqual(['auth-api', 'mfa-service']);
    expect(usersOf('QUEUE_ENCRYPTION_KEY')).toEqual([...SERVICES]);
    expect(usersOf('DATABASE_URL').sort()).toEqual(['auth-api', 'mfa-service']);
  });

  it('Services select their pods and point at declared container ports', () => {
    const services = manifests.filter((m) => m.kind === 'Service');
    expect(services.length).toBeGreaterThanOrEqual(4);
    for (const svc of services) {
      const service = SERVICES.find((s) =>
        Object.entries(svc.spec!.selector as Record<string, string>).every(([k, v]) => podLabelsOf(s)[k] === v),
      )!;
      expect(service).toBeDefined();
      for (const p of svc.spec!.ports!) expect(portNumber(containerOf(service), p.targetPort)).toEqual(expect.any(Number));
    }
    // the public Service exposes the API only, never the management port
    expect(find('Service', 'twostep-auth-api')!.spec!.ports!.map((p) => portNumber(containerOf('auth-api'), p.targetPort))).toEqual([3000]);
  });

  it('auth-api reaches every mfa-service replica through a headless Service, on the port mfa-service listens on', () => {
    const authEnv = resolvedEnv(containerOf('auth-api'));
    const mfaEnv = resolvedEnv(containerOf('mfa-service'));
    const url = new URL(authEnv.MFA_SERVICE_URL);
    const svc = find('Service', url.hostname);
    expect(svc?.spec?.clusterIP).toBe('None');
    const port = svc!.spec!.ports!.find((p) => p.port === Number(url.port));
    const rpcPort = portNumber(containerOf('mfa-service'), port!.targetPort);
    expect(rpcPort).toBe(Number(new URL(mfaEnv.MFA_SERVICE_URL).port));
    const policy = find('NetworkPolicy', 'twostep-mfa-service') as unknown as {
      spec: { ingress: Array<{ from?: Array<{ podSelector: { matchLabels: Record<string, string> } }>; ports: Array<{ port: number }> }> };
    };
    const rpcRule = policy.spec.ingress.find((r) => r.ports.some((p) => p.port === rpcPort));
    expect(rpcRule?.from?.map((f) => f.podSelector.matchLabels)).toEqual([podLabelsOf('auth-api')]);
  });

  it('runs the migrations as an init container of each service that uses Postgres, not as a Job that races the Deployments', () => {
    expect(manifests.filter((m) => m.kind === 'Job')).toEqual([]);
    for (const service of ['auth-api', 'mfa-service'] as const) {
      const init = podOf(service).initContainers ?? [];
      expect(init.map((c) => c.image)).toEqual(['twostep-migrate:0.1.0']);
      expect(() => loadServiceConfig('migrate', resolvedEnv(init[0]))).not.toThrow();
    }
    expect(podOf('notifier').initContainers).toBeUndefined();
  });

  it('uses images that the Dockerfile builds and kustomization.yaml can retag', () => {
    const targets = dockerfileStages(read('Dockerfile')).map((s) => s.name);
    const images = new Set(
      manifests.flatMap((m) =>
        [...(m.spec?.template?.spec.containers ?? []), ...(m.spec?.template?.spec.initContainers ?? [])].map((c) =>
          c.image.replace(/:.*$/, ''),
        ),
      ),
    );
    expect([...images].sort()).toEqual(['twostep-auth-api', 'twostep-mfa-service', 'twostep-migrate', 'twostep-notifier']);
    for (const image of images) {
      expect(targets).toContain(image.replace(/^twostep-/, ''));
      expect(kustomization.images.map((i) => i.name)).toContain(image);
    }
  });
});
