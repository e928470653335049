/**
 * Chart checks that need no cluster: `helm lint --strict` and `helm template` for every documented values
 * combination (docs/deploy-kubernetes.md), each rendered manifest validated offline against the Kubernetes
 * schemas (kubernetes-models; @kubernetes-models/prometheus-operator for the ServiceMonitor, /cert-manager for the
 * Certificate), and the wiring
 * asserted: probes, ports, secrets (mounted file or env), labels and selectors, security context, the
 * StatefulSet's volume claim for the embedded store, the Deployment (and HPA) for AIS.
 *
 * helm comes from scripts/install-helm.sh (.tmp/bin/helm, or $HELM_BIN_DIR/helm); without it these tests fail.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { safeLoadAll } from 'js-yaml';
import type { IConfigMap, IContainer, IPersistentVolumeClaim, ISecret, IService, IServiceAccount } from 'kubernetes-models/v1';
import type { IDeployment, IDeploymentSpec, IStatefulSet, IStatefulSetSpec } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { anyOf, objectContaining } from './support/matchers';

const ROOT = resolve(__dirname, '..');

/** Metric names the gateway registers (prom-client `name: '...'` in src/metrics), for the dashboard check. */
const EXPORTED_METRICS = new Set(
  readdirSync(join(ROOT, 'src', 'metrics'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .flatMap((f) => [...readFileSync(join(ROOT, 'src', 'metrics', f), 'utf8').matchAll(/\bname: '([a-z_][a-z0-9_]*)'/g)].map((m) => m[1])),
);
const CHART = join(ROOT, 'helm', 'ais-s3');
const HELM = join(process.env.HELM_BIN_DIR ? resolve(ROOT, process.env.HELM_BIN_DIR) : join(ROOT, '.tmp', 'bin'), 'helm');
/** The Kubernetes version lint and template assume (explicit, so any helm build renders alike); kubernetes-models 4.5 carries ~1.30 schemas. */
const KUBE_VERSION = '1.30.0';
const RELEASE = 'gw';
const NAMESPACE = 'storage';
const FULLNAME = `${RELEASE}-ais-s3`;
const SELECTOR = { 'app.kubernetes.io/name': 'ais-s3', 'app.kubernetes.io/instance': RELEASE };

// ------------------------------------------------------------------------------------------------------
// the documented values combinations (docs/deploy-kubernetes.md, "Chart checks")
// ------------------------------------------------------------------------------------------------------
type Values = Record<string, unknown>;
interface Combination {
  name: string;
  values: Values;
  store: 'embedded' | 'ais';
  /** How the S3 credentials reach the gateway. */
  secret: { name: string; file?: string; env?: { id: string; secret: string }; chartManaged: boolean } | null;
  hpa?: boolean;
  serviceMonitor?: boolean;
  dashboard?: boolean;
  networkPolicy?: boolean;
  metricsPort?: number;
  /** The gateway serves HTTPS from this Secret (tls.*). */
  tlsSecret?: string;
}

const COMBINATIONS: Combination[] = [
  { name: 'embedded (defaults)', values: {}, store: 'embedded', secret: null },
  {
    name: 'embedded with chart-managed credentials',
    values: {
      auth: {
        mode: 'verify',
        credentials: [
          { accessKeyId: 'AKEXAMPLE1', secretAccessKey: 'secret-1' },
          { accessKeyId: 'AKEXAMPLE2', secretAccessKey: 'secret-2', displayName: 'team-b', canonicalId: 'ab'.repeat(32), admin: true },
          { accessKeyId: 'AKEXAMPLE3', secretAccessKey: 'secret-3', admin: false },
        ],
        adminKeys: ['AKEXAMPLE1', 'AKOPS'],
        defaultBucketOwner: 'AKEXAMPLE3',
      },
    },
    store: 'embedded',
    secret: { name: `${FULLNAME}-credentials`, file: 'credentials', chartManaged: true },
  },
  {
    name: 'ais with HPA',
    values: {
      store: 'ais',
      ais: { endpoint: 'http://ais-proxy.ais.svc.cluster.local:51080' },
      autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 65, targetMemoryUtilizationPercentage: 80 },
      auth: { credentials: [{ accessKeyId: 'AKEXAMPLE', secretAccessKey: 'secret' }] },
    },
    store: 'ais',
    hpa: true,
    secret: { name: `${FULLNAME}-credentials`, file: 'credentials', chartManaged: true },
  },
  {
    name: 'existingSecret mounted as a credentials file',
    values: { auth: { mode: 'verify', existingSecret: 's3-keys', existingSecretKeys: { credentialsFile: 'keys.txt' } } },
    store: 'embedded',
    secret: { name: 's3-keys', file: 'keys.txt', chartManaged: false },
  },
  {
    name: 'existingSecret as environment variables (ais)',
    values: {
      store: 'ais',
      replicaCount: 3,
      auth: { existingSecret: 's3-env', existingSecretKeys: { credentialsFile: '', accessKeyId: 'access-key-id', secretAccessKey: 'secret-access-key' } },
    },
    store: 'ais',
    secret: { name: 's3-env', env: { id: 'access-key-id', secret: 'secret-access-key' }, chartManaged: false },
  },
  {
    name: 'ServiceMonitor and dashboard on, metrics on a separate port',
    values: {
      metrics: {
        port: 9090,
        serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
        dashboard: { enabled: true, annotations: { grafana_folder: 'Storage' } },
      },
    },
    store: 'embedded',
    secret: null,
    serviceMonitor: true,
    dashboard: true,
    metricsPort: 9090,
  },
  {
    name: 'ServiceMonitor on, metrics on the S3 port (ais)',
    values: { store: 'ais', metrics: { serviceMonitor: { enabled: true } } },
    store: 'ais',
    secret: null,
    serviceMonitor: true,
  },
  {
    name: 'NetworkPolicy on (ais, egress restricted)',
    values: {
      store: 'ais',
      metrics: { port: 9090 },
      networkPolicy: {
        enabled: true,
        ingressFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml' } } }],
        metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        egress: {
          enabled: true,
          aisPorts: [
            { port: 51080, protocol: 'TCP' },
            { port: 51081, protocol: 'TCP' },
          ],
        },
      },
    },
    store: 'ais',
    secret: null,
    networkPolicy: true,
    metricsPort: 9090,
  },
  {
    name: 'NetworkPolicy on (embedded, metrics on the S3 port)',
    values: {
      networkPolicy: {
        enabled: true,
        ingressFrom: [{ podSelector: { matchLabels: { role: 's3-client' } } }],
        metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      },
    },
    store: 'embedded',
    secret: null,
    networkPolicy: true,
  },
  {
    name: 'HTTPS from a cert-manager Certificate, an Ingress, ServiceMonitor on the S3 port (ais)',
    values: {
      store: 'ais',
      tls: { certManager: { enabled: true, issuerRef: { name: 'internal-ca' }, dnsNames: ['s3.example.com'] } },
      ingress: {
        enabled: true,
        className: 'nginx',
        annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' },
        hosts: ['s3.example.com'],
        tls: [{ secretName: 's3-example-tls', hosts: ['s3.example.com'] }],
      },
      metrics: { serviceMonitor: { enabled: true, tlsConfig: { ca: { secret: { name: `${FULLNAME}-tls`, key: 'ca.crt' } }, serverName: FULLNAME } } },
    },
    store: 'ais',
    secret: null,
    serviceMonitor: true,
    tlsSecret: `${FULLNAME}-tls`,
  },
  {
    name: 'everything on (ais)',
    values: {
      store: 'ais',
      autoscaling: { enabled: true },
      auth: { existingSecret: 's3-keys', existingSecretKeys: { credentialsFile: 'credentials', accessKeyId: 'id', secretAccessKey: 'secret' } },
      metrics: { port: 9102, serviceMonitor: { enabled: true }, dashboard: { enabled: true } },
      networkPolicy: { enabled: true, egress: { enabled: true } },
      podAntiAffinityPreset: 'hard',
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }],
      extraConfig: { NODE_OPTIONS: '--max-old-space-size=768' },
      shutdown: { delayMs: 10000, graceMs: 120000 },
      terminationGracePeriodSeconds: 150,
    },
    store: 'ais',
    hpa: true,
    secret: { name: 's3-keys', file: 'credentials', env: { id: 'id', secret: 'secret' }, chartManaged: false },
    serviceMonitor: true,
    dashboard: true,
    networkPolicy: true,
    metricsPort: 9102,
  },
];

// ------------------------------------------------------------------------------------------------------
// helm
// ------------------------------------------------------------------------------------------------------
let workDir: string;

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(HELM, args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(workDir, 'cache'),
      HELM_CONFIG_HOME: join(workDir, 'config'),
      HELM_DATA_HOME: join(workDir, 'data'),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let fileCount = 0;
function valuesFile(values: Values): string {
  const file = join(workDir, `values-${++fileCount}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

function lint(values: Values): ReturnType<typeof helm> {
  return helm(['lint', '--strict', CHART, '--kube-version', KUBE_VERSION, '--namespace', NAMESPACE, '-f', valuesFile(values)]);
}

function template(values: Values, kubeVersion = KUBE_VERSION): ReturnType<typeof helm> {
  return helm(['template', RELEASE, CHART, '--kube-version', kubeVersion, '--namespace', NAMESPACE, '-f', valuesFile(values)]);
}

// ------------------------------------------------------------------------------------------------------
// manifests
// ------------------------------------------------------------------------------------------------------
/** A rendered manifest: every template of the chart names its object. */
type ObjectMeta = NonNullable<IConfigMap['metadata']>;
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
}

/** The kinds the chart renders, as kubernetes-models types them. */
interface Kinds {
  ConfigMap: IConfigMap;
  Secret: ISecret;
  Service: IService;
  ServiceAccount: IServiceAccount;
  PersistentVolumeClaim: IPersistentVolumeClaim;
  Deployment: IDeployment;
  StatefulSet: IStatefulSet;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  NetworkPolicy: INetworkPolicy;
  PodDisruptionBudget: IPodDisruptionBudget;
  ServiceMonitor: IServiceMonitor;
  Ingress: IIngress;
  Certificate: ICertificate;
}
type Kind = keyof Kinds;
/** A rendered manifest of `kind`: the chart always sets its metadata and, for a kind that has one, its spec. */
type Rendered<K extends Kind> = Kinds[K] & Manifest & (Kinds[K] extends { spec?: infer S } ? { spec: NonNullable<S> } : unknown);
/**
 * The one workload: a Deployment (store=ais) or a StatefulSet (the embedded store). Its spec is typed with the
 * fields of both kinds, so that a check can also see one kind's fields absent from the other.
 */
type Workload = Manifest & { kind: 'Deployment' | 'StatefulSet'; spec: IDeploymentSpec & Partial<IStatefulSetSpec> };

/** The Grafana dashboard's JSON, as far as the checks read it. */
interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Dashboard {
  panels: { id: number; type: string; title: string; datasource?: unknown; gridPos: GridPos; targets?: { expr: string }[] }[];
}

function render(values: Values): Manifest[] {
  const out = template(values);
  if (out.status !== 0) throw new Error(`helm template failed (${out.status}):\n${out.stderr}`);
  return safeLoadAll(out.stdout).filter((doc): doc is Manifest => doc !== null && doc !== undefined);
}

/** The kubernetes-models class for a manifest's apiVersion and kind, or an error naming what is missing. */
function modelFor(apiVersion: string, kind: string): new (data: unknown) => { validate(): void } {
  const crds: Record<string, string> = { 'monitoring.coreos.com': 'prometheus-operator', 'cert-manager.io': 'cert-manager' };
  const crd = crds[apiVersion.split('/')[0]];
  const module = crd !== undefined ? `@kubernetes-models/${crd}/${apiVersion}` : `kubernetes-models/${apiVersion}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen at run time, by the manifest's apiVersion
  const model = (require(module) as Record<string, unknown>)[kind];
  if (typeof model !== 'function') throw new Error(`no schema for ${apiVersion} ${kind} in ${module}`);
  return model as new (data: unknown) => { validate(): void };
}

function schemaErrors(doc: Manifest): string | null {
  const Model = modelFor(doc.apiVersion, doc.kind);
  try {
    new Model(doc).validate();
    return null;
  } catch (err) {
    return `${doc.kind}/${doc.metadata.name}: ${(err as Error).message}`;
  }
}

const all = <K extends Kind>(docs: Manifest[], kind: K): Rendered<K>[] => docs.filter((d): d is Rendered<K> => d.kind === kind);
const only = <K extends Kind>(docs: Manifest[], kind: K, name?: string): Rendered<K> => {
  const found = all(docs, kind).filter((d) => name === undefined || d.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

function workload(docs: Manifest[]): Workload {
  const found = docs.filter((d): d is Workload => d.kind === 'Deployment' || d.kind === 'StatefulSet');
  if (found.length !== 1) throw new Error(`expected one Deployment or StatefulSet, found ${found.length}`);
  return found[0];
}
const podSpec = (docs: Manifest[]) => workload(docs).spec.template.spec!;
const container = (docs: Manifest[]): IContainer => {
  const containers = podSpec(docs).containers;
  expect(containers).toHaveLength(1);
  return containers[0];
};
const configData = (docs: Manifest[]): Record<string, string> => only(docs, 'ConfigMap', FULLNAME).data!;

// ------------------------------------------------------------------------------------------------------
beforeAll(() => {
  if (!existsSync(HELM)) {
    throw new Error(`helm is not installed at ${HELM}: run scripts/install-helm.sh (CI does, in .ci/run)`);
  }
  workDir = mkdtempSync(join(tmpdir(), 'ais-s3-helm-'));
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('helm is the pinned version from scripts/install-helm.sh', () => {
  const out = helm(['version', '--template', '{{.Version}}']);
  expect(out.status).toBe(0);
  const pinned = /^HELM_VERSION="(v[0-9.]+)"$/m.exec(readFileSync(join(ROOT, 'scripts', 'install-helm.sh'), 'utf8'));
  expect(pinned).not.toBeNull();
  expect(out.stdout.trim()).toBe(pinned![1]);
});

describe.each(COMBINATIONS)('chart: $name', (combo) => {
  let docs: Manifest[];
  beforeAll(() => {
    docs = render(combo.values);
  });

  test('helm lint --strict passes', () => {
    const out = lint(combo.values);
    expect({ status: out.status, output: out.stdout + out.stderr }).toMatchObject({ status: 0 });
    expect(out.stdout).toContain('0 chart(s) failed');
  });

  test('every rendered manifest is valid against its Kubernetes schema', () => {
    expect(docs.length).toBeGreaterThan(0);
    const errors = docs.map(schemaErrors).filter((e): e is string => e !== null);
    expect(errors).toEqual([]);
  });

  test('every manifest carries the chart labels and sits in the release namespace', () => {
    const names = new Set<string>();
    for (const doc of docs) {
      expect(doc.metadata.labels).toMatchObject({ ...SELECTOR, 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'ais-s3-0.1.0' });
      expect(doc.metadata.namespace).toBe(NAMESPACE);
      const key = `${doc.kind}/${doc.metadata.name}`;
      expect(names.has(key)).toBe(false);
      names.add(key);
    }
  });

  test(`the workload is a ${combo.store === 'ais' ? 'Deployment' : 'StatefulSet with a volume claim'}`, () => {
    const w = workload(docs);
    const data = configData(docs);
    expect(data.STORE).toBe(combo.store);
    if (combo.store === 'ais') {
      expect(w.kind).toBe('Deployment');
      expect(data.AIS_ENDPOINT).toMatch(/^http:\/\/ais-proxy\.ais\.svc\.cluster\.local:51080$/);
      expect(data).not.toHaveProperty('DATA_DIR');
      expect(w.spec.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
      expect(all(docs, 'PersistentVolumeClaim')).toHaveLength(0);
      expect(w.spec.volumeClaimTemplates).toBeUndefined();
      expect(podSpec(docs).volumes!.map((v) => v.name)).not.toContain('data');
    } else {
      expect(w.kind).toBe('StatefulSet');
      expect(w.spec.replicas).toBe(1);
      expect(data.DATA_DIR).toBe('/data');
      const claims = w.spec.volumeClaimTemplates;
      expect(claims).toHaveLength(1);
      expect(claims![0]).toMatchObject({ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } });
      expect(container(docs).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
      // the governing Service exists and is headless
      const headless = only(docs, 'Service', w.spec.serviceName);
      expect(headless.spec.clusterIP).toBe('None');
      expect(headless.spec.selector).toEqual(SELECTOR);
      expect(all(docs, 'HorizontalPodAutoscaler')).toHaveLength(0);
    }
  });

  test('replicas and the HorizontalPodAutoscaler', () => {
    const w = workload(docs);
    const hpas = all(docs, 'HorizontalPodAutoscaler');
    if (combo.hpa) {
      expect(hpas).toHaveLength(1);
      expect(w.spec.replicas).toBeUndefined();
      const hpa = hpas[0].spec;
      expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: w.metadata.name });
      const expected = (combo.values.autoscaling as Values) ?? {};
      expect(hpa.minReplicas).toBe(expected.minReplicas ?? 2);
      expect(hpa.maxReplicas).toBe(expected.maxReplicas ?? 10);
      expect(hpa.metrics).toContainEqual({
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expected.targetCPUUtilizationPercentage ?? 70 } },
      });
    } else {
      expect(hpas).toHaveLength(0);
      expect(w.spec.replicas).toBe(combo.store === 'ais' ? ((combo.values.replicaCount as number) ?? 2) : 1);
    }
  });

  test('probes: startup and liveness on /health/live, readiness on /health/ready, all on the http port', () => {
    const c = container(docs);
    const http = c.ports!.find((p) => p.name === 'http');
    expect(http).toEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    expect(configData(docs).PORT).toBe('8080');
    const scheme = combo.tlsSecret !== undefined ? 'HTTPS' : 'HTTP';
    expect(c.livenessProbe!.httpGet).toEqual({ path: '/health/live', port: 'http', scheme });
    expect(c.readinessProbe!.httpGet).toEqual({ path: '/health/ready', port: 'http', scheme });
    expect(c.startupProbe!.httpGet).toEqual({ path: '/health/live', port: 'http', scheme });
    expect(c.readinessProbe!.periodSeconds).toBeLessThanOrEqual(c.livenessProbe!.periodSeconds!);
    // graceful shutdown: the pod's grace outlasts the gateway's drain (readiness off, delay, in-flight grace)
    const data = configData(docs);
    const shutdown = (combo.values.shutdown as { delayMs?: number; graceMs?: number } | undefined) ?? {};
    expect(data.SHUTDOWN_DELAY_MS).toBe(String(shutdown.delayMs ?? 5000));
    expect(data.SHUTDOWN_GRACE_MS).toBe(String(shutdown.graceMs ?? 30000));
    expect(podSpec(docs).terminationGracePeriodSeconds! * 1000).toBeGreaterThan(Number(data.SHUTDOWN_DELAY_MS) + Number(data.SHUTDOWN_GRACE_MS));
    if (combo.store === 'embedded') expect(data.MIN_FREE_DISK_MB).toBe('256');
  });

  test('ports: the Service targets named container ports; metrics on its own port when set', () => {
    const svc = only(docs, 'Service', FULLNAME);
    const c = container(docs);
    const containerPorts = new Set(c.ports!.map((p) => p.name));
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toContainEqual({ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' });
    for (const port of svc.spec.ports!) expect(containerPorts).toContain(port.targetPort);
    if (combo.metricsPort) {
      expect(c.ports).toContainEqual({ name: 'metrics', containerPort: combo.metricsPort, protocol: 'TCP' });
      expect(svc.spec.ports).toContainEqual({ name: 'metrics', port: combo.metricsPort, targetPort: 'metrics', protocol: 'TCP' });
      expect(configData(docs).METRICS_PORT).toBe(String(combo.metricsPort));
    } else {
      expect(containerPorts).not.toContain('metrics');
      expect(configData(docs)).not.toHaveProperty('METRICS_PORT');
    }
  });

  test('labels and selectors: every selector matches the pods, and the pods only', () => {
    const w = workload(docs);
    const podLabels = w.spec.template.metadata!.labels;
    expect(w.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(matches(w.spec.selector.matchLabels!, podLabels)).toBe(true);
    for (const svc of all(docs, 'Service')) expect(svc.spec.selector).toEqual(SELECTOR);
    const pdb = only(docs, 'PodDisruptionBudget');
    expect(pdb.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(pdb.spec.maxUnavailable).toBe(1);
    for (const np of all(docs, 'NetworkPolicy')) expect(matches(np.spec.podSelector.matchLabels!, podLabels)).toBe(true);
    // the config checksum rolls the pods when the ConfigMap changes
    expect(w.spec.template.metadata!.annotations!['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
  });

  test('pod anti-affinity spreads the replicas over nodes', () => {
    const affinity = podSpec(docs).affinity!.podAntiAffinity!;
    const hard = combo.values.podAntiAffinityPreset === 'hard';
    const term = hard
      ? affinity.requiredDuringSchedulingIgnoredDuringExecution![0]
      : affinity.preferredDuringSchedulingIgnoredDuringExecution![0].podAffinityTerm;
    expect(term).toEqual({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: SELECTOR } });
    for (const constraint of podSpec(docs).topologySpreadConstraints ?? []) {
      expect(constraint.labelSelector).toEqual({ matchLabels: SELECTOR });
    }
  });

  test('security context: non-root, read-only root filesystem, no privilege escalation, no capabilities', () => {
    const pod = podSpec(docs);
    const c = container(docs);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.securityContext!.capabilities!.add).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    // the only writable paths are volumes: /tmp always, the data directory for the embedded store
    expect(pod.volumes).toContainEqual(objectContaining({ name: 'tmp', emptyDir: anyOf(Object) }));
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    const volumes = new Set([...pod.volumes!.map((v) => v.name), ...(workload(docs).spec.volumeClaimTemplates ?? []).map((v) => v.metadata!.name)]);
    for (const mount of c.volumeMounts!) expect(volumes).toContain(mount.name);
    expect(c.resources!.requests).toMatchObject({ cpu: anyOf(String), memory: anyOf(String) });
    expect(c.resources!.limits!.memory).toEqual(expect.any(String));
    const sa = only(docs, 'ServiceAccount');
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(c.envFrom).toContainEqual({ configMapRef: { name: FULLNAME } });
  });

  test(`secret wiring: ${combo.secret ? [combo.secret.file && 'mounted file', combo.secret.env && 'env'].filter(Boolean).join(' + ') : 'none (S3_AUTH=parse)'}`, () => {
    const c = container(docs);
    const pod = podSpec(docs);
    const data = configData(docs);
    const secrets = all(docs, 'Secret');
    const env = c.env ?? [];
    if (!combo.secret) {
      expect(secrets).toHaveLength(0);
      expect(data).not.toHaveProperty('S3_CREDENTIALS_FILE');
      expect(env.map((e) => e.name)).not.toContain('S3_ACCESS_KEY_ID');
      expect(pod.volumes!.map((v) => v.name)).not.toContain('credentials');
      return;
    }
    const { name, file, env: envKeys, chartManaged } = combo.secret;
    if (chartManaged) {
      const secret = only(docs, 'Secret', name);
      const lines = secret.stringData!.credentials.split('\n').filter((l) => l && !l.startsWith('#'));
      const keys = (combo.values.auth as Values).credentials as Array<{
        accessKeyId: string;
        secretAccessKey: string;
        displayName?: string;
        canonicalId?: string;
        admin?: boolean;
      }>;
      const fields = (k: (typeof keys)[number]) =>
        [k.displayName && ` name=${k.displayName}`, k.canonicalId && ` id=${k.canonicalId}`, k.admin && ' admin'].filter(Boolean).join('');
      expect(lines).toEqual(keys.map((k) => `${k.accessKeyId}:${k.secretAccessKey}${fields(k)}`));
      // rotation without restart: no checksum of the Secret on the pods
      expect(Object.keys(workload(docs).spec.template.metadata!.annotations!)).not.toContain('checksum/secret');
    } else {
      expect(secrets).toHaveLength(0);
    }
    if (file) {
      const volume = pod.volumes!.find((v) => v.name === 'credentials');
      expect(volume).toEqual({ name: 'credentials', secret: { secretName: name, items: [{ key: file, path: 'credentials' }], defaultMode: 0o440 } });
      const mount = c.volumeMounts!.find((m) => m.name === 'credentials');
      expect(mount).toEqual({ name: 'credentials', mountPath: '/etc/ais-s3/credentials', readOnly: true });
      expect(mount!.subPath).toBeUndefined(); // a subPath mount would never see the Secret's updates
      expect(data.S3_CREDENTIALS_FILE).toBe('/etc/ais-s3/credentials/credentials');
    } else {
      expect(data).not.toHaveProperty('S3_CREDENTIALS_FILE');
      expect(pod.volumes!.map((v) => v.name)).not.toContain('credentials');
    }
    if (envKeys) {
      expect(env).toContainEqual({ name: 'S3_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name, key: envKeys.id } } });
      expect(env).toContainEqual({ name: 'S3_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name, key: envKeys.secret } } });
    } else {
      expect(env.map((e) => e.name)).not.toContain('S3_ACCESS_KEY_ID');
    }
    // no secret ever lands in the ConfigMap
    expect(Object.keys(data).filter((k) => /SECRET|ACCESS_KEY/.test(k))).toEqual([]);
    const mode = (combo.values.auth as Values).mode;
    if (mode) expect(data.S3_AUTH).toBe(mode);
    // access control settings are key ids, not secrets: they go into the ConfigMap when set, and nowhere otherwise
    const { adminKeys, defaultBucketOwner } = (combo.values.auth ?? {}) as { adminKeys?: string[]; defaultBucketOwner?: string };
    expect(data.S3_ADMIN_KEYS).toBe(adminKeys?.join(','));
    expect(data.S3_DEFAULT_BUCKET_OWNER).toBe(defaultBucketOwner);
  });

  test(`ServiceMonitor ${combo.serviceMonitor ? 'scrapes /metrics through the main Service' : 'is off'}`, () => {
    const monitors = all(docs, 'ServiceMonitor');
    if (!combo.serviceMonitor) {
      expect(monitors).toHaveLength(0);
      return;
    }
    expect(monitors).toHaveLength(1);
    const sm = monitors[0];
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    const portName = combo.metricsPort ? 'metrics' : 'http';
    const https = combo.tlsSecret !== undefined && !combo.metricsPort;
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: portName, path: '/metrics', interval: '30s', scheme: https ? 'https' : 'http' })]);
    const tlsConfig = ((combo.values.metrics as Values | undefined)?.serviceMonitor as Values | undefined)?.tlsConfig;
    expect(sm.spec.endpoints[0].tlsConfig).toEqual(https ? tlsConfig : undefined);
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    // it selects the main Service, never the headless one (each pod scraped once), and that Service has the port
    const selected = all(docs, 'Service').filter(
      (svc) =>
        matches(sm.spec.selector.matchLabels!, svc.metadata.labels) &&
        (sm.spec.selector.matchExpressions ?? []).every((e) => e.operator === 'DoesNotExist' && !(e.key in (svc.metadata.labels ?? {}))),
    );
    expect(selected.map((s) => s.metadata.name)).toEqual([FULLNAME]);
    expect(selected[0].spec.ports!.map((p) => p.name)).toContain(portName);
    const extraLabels = ((combo.values.metrics as Values).serviceMonitor as Values).labels as Record<string, string> | undefined;
    if (extraLabels) expect(sm.metadata.labels).toMatchObject(extraLabels);
  });

  test(`HTTPS ${combo.tlsSecret !== undefined ? 'from the mounted TLS Secret, its Certificate and the Ingress' : 'is off'}`, () => {
    const data = configData(docs);
    const pod = podSpec(docs);
    const ingresses = all(docs, 'Ingress');
    const certificates = all(docs, 'Certificate');
    if (combo.tlsSecret === undefined) {
      expect(data).not.toHaveProperty('TLS_CERT_FILE');
      expect(pod.volumes!.map((v) => v.name)).not.toContain('tls');
      expect({ ingresses: ingresses.length, certificates: certificates.length }).toEqual({ ingresses: 0, certificates: 0 });
      return;
    }
    expect(data).toMatchObject({ TLS_CERT_FILE: '/etc/ais-s3/tls/tls.crt', TLS_KEY_FILE: '/etc/ais-s3/tls/tls.key' });
    // a whole-directory mount: the kubelet's updates of the Secret reach the files the gateway watches
    expect(pod.volumes).toContainEqual({
      name: 'tls',
      secret: {
        secretName: combo.tlsSecret,
        items: [
          { key: 'tls.crt', path: 'tls.crt' },
          { key: 'tls.key', path: 'tls.key' },
        ],
        defaultMode: 0o440,
      },
    });
    expect(container(docs).volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/ais-s3/tls', readOnly: true });
    const certificate = only(docs, 'Certificate', FULLNAME);
    expect(certificate.spec).toMatchObject({
      secretName: combo.tlsSecret,
      issuerRef: { name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
    // the names in-cluster clients use for the Service, and the extra ones asked for
    expect(certificate.spec.dnsNames).toEqual([
      FULLNAME,
      `${FULLNAME}.${NAMESPACE}`,
      `${FULLNAME}.${NAMESPACE}.svc`,
      `${FULLNAME}.${NAMESPACE}.svc.cluster.local`,
      's3.example.com',
    ]);
    const ingress = only(docs, 'Ingress', FULLNAME);
    expect(ingress.spec).toMatchObject({ ingressClassName: 'nginx', tls: [{ secretName: 's3-example-tls', hosts: ['s3.example.com'] }] });
    // only the S3 prefix goes out, to the main Service's http port
    expect(ingress.spec.rules).toEqual([
      { host: 's3.example.com', http: { paths: [{ path: '/s3', pathType: 'Prefix', backend: { service: { name: FULLNAME, port: { name: 'http' } } } }] } },
    ]);
    expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' });
  });

  test(`Grafana dashboard ${combo.dashboard ? 'ConfigMap has the sidecar label and the panels' : 'is off'}`, () => {
    const boards = all(docs, 'ConfigMap').filter((d) => d.metadata.name === `${FULLNAME}-dashboard`);
    if (!combo.dashboard) {
      expect(boards).toHaveLength(0);
      return;
    }
    expect(boards).toHaveLength(1);
    expect(boards[0].metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dashboard = JSON.parse(boards[0].data!['ais-s3.json']) as Dashboard;
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Request rate per operation',
        'Error ratio',
        'p50 latency per operation',
        'p99 latency per operation',
        'Throughput',
        'Backend latency p50 / p99',
      ]),
    );
    const has = (re: RegExp) => expect(exprs.some((e) => re.test(e))).toBe(true);
    has(/sum by \(operation\) \(rate\(s3_requests_total\{/);
    has(/status=~"5\.\."}.*\/ sum\(rate\(s3_requests_total/);
    has(/histogram_quantile\(0\.5, sum by \(operation, le\) \(rate\(s3_request_duration_seconds_bucket/);
    has(/histogram_quantile\(0\.99, sum by \(operation, le\) \(rate\(s3_request_duration_seconds_bucket/);
    has(/rate\(s3_received_bytes_total/);
    has(/rate\(s3_sent_bytes_total/);
    has(/histogram_quantile\(0\.99, sum by \(backend, call, le\) \(rate\(ais_backend_request_duration_seconds_bucket/);
    // only metrics the gateway exports (the names registered in src/metrics; histograms as _bucket series)
    const used = new Set(exprs.flatMap((e) => e.match(/\b[a-z][a-z0-9_]*(?=\{)/g) ?? []));
    expect([...used].filter((m) => !EXPORTED_METRICS.has(m.replace(/_bucket$/, '')))).toEqual([]);
    expect([...used].length).toBeGreaterThanOrEqual(8);
    // every panel has the datasource variable, a unique id, and a place of its own on the grid
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const p of panels) expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const overlaps = (a: GridPos, b: GridPos) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const [i, a] of dashboard.panels.entries()) {
      expect(a.gridPos.x + a.gridPos.w).toBeLessThanOrEqual(24);
      for (const b of dashboard.panels.slice(i + 1))
        expect({ a: a.title, b: b.title, overlap: overlaps(a.gridPos, b.gridPos) }).toEqual({ a: a.title, b: b.title, overlap: false });
    }
  });

  test(`NetworkPolicy ${combo.networkPolicy ? 'admits clients and Prometheus and limits egress' : 'is off'}`, () => {
    const policies = all(docs, 'NetworkPolicy');
    if (!combo.networkPolicy) {
      expect(policies).toHaveLength(0);
      return;
    }
    expect(policies).toHaveLength(1);
    const np = policies[0].spec;
    const containerPorts = new Set(container(docs).ports!.map((p) => p.name));
    for (const rule of np.ingress!) for (const port of rule.ports!) expect(containerPorts).toContain(port.port);
    const values = combo.values.networkPolicy as Values;
    const httpRule = np.ingress!.find((r) => r.ports!.some((p) => p.port === 'http'))!;
    if (values.ingressFrom) expect(httpRule.from).toEqual(expect.arrayContaining(values.ingressFrom as unknown[]));
    if (combo.metricsPort) {
      const metricsRule = np.ingress!.find((r) => r.ports!.some((p) => p.port === 'metrics'))!;
      expect(metricsRule.from).toEqual(values.metricsFrom ?? undefined);
    } else if (values.ingressFrom) {
      // Prometheus scrapes the S3 port, so it is admitted there
      expect(httpRule.from).toEqual(expect.arrayContaining(values.metricsFrom as unknown[]));
    }
    const egress = (values.egress as Values | undefined)?.enabled;
    if (egress) {
      expect(np.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(np.egress![0].ports).toEqual([
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ]);
      if (combo.store === 'ais') {
        expect(np.egress![1].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ais' } } }]);
      }
    } else {
      expect(np.policyTypes).toEqual(['Ingress']);
      expect(np.egress).toBeUndefined();
    }
  });
});

describe('chart: cross-cutting checks', () => {
  test('the oldest supported Kubernetes (1.25) renders every combination', () => {
    for (const combo of COMBINATIONS) {
      const out = template(combo.values, '1.25.0');
      expect({ combo: combo.name, status: out.status, stderr: out.stderr }).toEqual({ combo: combo.name, status: 0, stderr: '' });
    }
  });

  test('extraConfig lands in the ConfigMap as strings', () => {
    const docs = render({ extraConfig: { NODE_OPTIONS: '--max-old-space-size=768', UV_THREADPOOL_SIZE: 16, FEATURE_X: true } });
    expect(configData(docs)).toMatchObject({ NODE_OPTIONS: '--max-old-space-size=768', UV_THREADPOOL_SIZE: '16', FEATURE_X: 'true' });
  });

  test('the dashboard uses metrics that src/metrics registers', () => {
    expect([...EXPORTED_METRICS]).toEqual(expect.arrayContaining(['s3_requests_total', 's3_request_duration_seconds', 'ais_backend_request_duration_seconds']));
  });

  test('persistence off: an emptyDir, no volume claim; existingClaim: that claim', () => {
    let docs = render({ embedded: { persistence: { enabled: false } } });
    expect(workload(docs).spec.volumeClaimTemplates).toBeUndefined();
    expect(podSpec(docs).volumes).toContainEqual({ name: 'data', emptyDir: null });
    docs = render({ embedded: { persistence: { existingClaim: 'gw-data' } } });
    expect(workload(docs).spec.volumeClaimTemplates).toBeUndefined();
    expect(podSpec(docs).volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'gw-data' } });
    docs = render({ embedded: { persistence: { storageClass: 'fast-ssd', size: '200Gi', retentionPolicy: { whenDeleted: 'Retain' } } } });
    expect(workload(docs).spec.volumeClaimTemplates![0].spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '200Gi' } } });
    expect(workload(docs).spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain' });
    for (const doc of docs) expect(schemaErrors(doc)).toBeNull();
  });

  test('ais.singleWriter: AIS_SINGLE_WRITER with WORKERS=1, one replica, updated by Recreate', () => {
    const docs = render({ store: 'ais', replicaCount: 1, ais: { singleWriter: true } });
    expect(configData(docs)).toMatchObject({ AIS_SINGLE_WRITER: 'true', WORKERS: '1' });
    expect(workload(docs).spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    for (const doc of docs) expect(schemaErrors(doc)).toBeNull();
    const plain = render({ store: 'ais' });
    expect(configData(plain)).not.toHaveProperty('AIS_SINGLE_WRITER');
    expect(workload(plain).spec).toMatchObject({ strategy: { type: 'RollingUpdate' } });
  });

  test('tls.secretName: an existing TLS Secret is mounted without a Certificate; an Ingress without hosts routes every host', () => {
    const docs = render({ tls: { secretName: 'my-tls' }, ingress: { enabled: true }, s3: { prefix: '/' } });
    expect(podSpec(docs).volumes).toContainEqual(objectContaining({ name: 'tls', secret: objectContaining({ secretName: 'my-tls' }) }));
    expect(configData(docs)).toMatchObject({ TLS_CERT_FILE: '/etc/ais-s3/tls/tls.crt', TLS_KEY_FILE: '/etc/ais-s3/tls/tls.key' });
    expect(all(docs, 'Certificate')).toHaveLength(0);
    expect(only(docs, 'Ingress').spec.rules).toEqual([
      { http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: FULLNAME, port: { name: 'http' } } } }] } },
    ]);
    for (const doc of docs) expect(schemaErrors(doc)).toBeNull();
  });

  test('cors.allowedOrigins: CORS_ALLOWED_ORIGINS, comma-joined; none by default', () => {
    const docs = render({ cors: { allowedOrigins: ['https://app.example.com', 'https://*.preview.example.com'] } });
    expect(configData(docs).CORS_ALLOWED_ORIGINS).toBe('https://app.example.com,https://*.preview.example.com');
    for (const doc of docs) expect(schemaErrors(doc)).toBeNull();
    expect(configData(render({}))).not.toHaveProperty('CORS_ALLOWED_ORIGINS');
  });

  test('impossible combinations fail with a message that says what to change', () => {
    const cases: [Values, RegExp][] = [
      [{ autoscaling: { enabled: true } }, /autoscaling\.enabled needs store=ais/],
      [{ auth: { mode: 'verify' } }, /auth\.mode=verify needs credentials/],
      [{ store: 'ais', ais: { endpoint: '' } }, /store=ais needs ais\.endpoint/],
      [{ auth: { existingSecret: 'x', existingSecretKeys: { credentialsFile: '' } } }, /auth\.existingSecret needs/],
      [{ auth: { existingSecret: 'x', existingSecretKeys: { accessKeyId: 'id' } } }, /accessKeyId and secretAccessKey go together/],
      [{ metrics: { port: 8080 } }, /metrics\.port must differ from containerPort/],
      [{ extraConfig: { STORE: 'ais' } }, /extraConfig\.STORE: the chart sets STORE itself/],
      [{ extraConfig: { S3_SECRET_ACCESS_KEY: 'x' } }, /secrets do not belong in a ConfigMap/],
      [{ shutdown: { graceMs: 120000 } }, /terminationGracePeriodSeconds=60 must exceed/],
      [
        { store: 'ais', autoscaling: { enabled: true, targetCPUUtilizationPercentage: null } },
        /needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage/,
      ],
      [{ store: 'ais', ais: { singleWriter: true } }, /ais\.singleWriter needs replicaCount=1 and autoscaling\.enabled=false/],
      [{ store: 'ais', replicaCount: 1, autoscaling: { enabled: true }, ais: { singleWriter: true } }, /ais\.singleWriter needs replicaCount=1/],
      [{ store: 'minio' }, /store/], // values.schema.json
      [{ logLevel: 'verbose' }, /logLevel/],
      [{ cors: { allowedOrigins: ['https://a.test,https://b.test'] } }, /allowedOrigins/], // one origin per item
      [{ cors: { allowedOrigins: ['https://*.*.example.com'] } }, /allowedOrigins/], // at most one wildcard, as the gateway checks
      [{ auth: { credentials: [{ accessKeyId: 'a:b', secretAccessKey: 's' }] } }, /accessKeyId/],
      [{ auth: { credentials: [{ accessKeyId: 'a', secretAccessKey: 's', canonicalId: '1234' }] } }, /canonicalId/],
      [{ auth: { credentials: [{ accessKeyId: 'a', secretAccessKey: 's', displayName: 'two words' }] } }, /displayName/],
      [{ storee: 'ais' }, /storee/], // a misspelt top-level key is refused, not ignored
      [{ tls: { certManager: { enabled: true } } }, /tls\.certManager\.enabled needs tls\.certManager\.issuerRef\.name/],
    ];
    for (const [values, message] of cases) {
      const out = template(values);
      expect({ values, status: out.status }).toEqual({ values, status: 1 });
      expect(out.stderr).toMatch(message);
    }
  });

  test('NOTES.txt warns when signatures are not checked, and not otherwise; shows the HTTPS endpoint and the Ingress', () => {
    // `helm install --dry-run` needs a cluster; render NOTES.txt through a copy of the chart instead, as the
    // value of a ConfigMap template (tpl sees the chart's named templates as NOTES.txt does).
    const copy = join(workDir, 'notes-chart');
    cpSync(CHART, copy, { recursive: true });
    cpSync(join(CHART, 'templates', 'NOTES.txt'), join(copy, 'notes.txt'));
    writeFileSync(
      join(copy, 'templates', 'zz-notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}\n',
    );
    const notes = (values: Values): string => {
      const out = helm([
        'template',
        RELEASE,
        copy,
        '--kube-version',
        KUBE_VERSION,
        '--namespace',
        NAMESPACE,
        '-f',
        valuesFile(values),
        '--show-only',
        'templates/zz-notes.yaml',
      ]);
      expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
      return (safeLoadAll(out.stdout)[0] as IConfigMap).data!.notes;
    };
    const open = notes({});
    expect(open).toMatch(/WARNING: S3_AUTH=parse/);
    expect(open).toContain('Backend: the embedded store, one replica, data in /data on a persistent volume.');
    const verified = notes({ store: 'ais', auth: { credentials: [{ accessKeyId: 'AK', secretAccessKey: 'SK' }] } });
    expect(verified).not.toMatch(/WARNING/);
    expect(verified).toContain(`http://${FULLNAME}.${NAMESPACE}.svc.cluster.local:8080/s3`);
    expect(verified).toContain('Backend: the AIS cluster at http://ais-proxy.ais.svc.cluster.local:51080 (2 replicas).');
    expect(verified).not.toContain('SK'); // never a secret
    const secure = notes({ tls: { secretName: 'my-tls' }, ingress: { enabled: true, hosts: ['s3.example.com'] } });
    expect(secure).toContain(`https://${FULLNAME}.${NAMESPACE}.svc.cluster.local:8080/s3`);
    expect(secure).toContain('aws --endpoint-url https://localhost:8080/s3 s3 ls');
    expect(secure).toContain(`From outside: the Ingress ${FULLNAME} for s3.example.com, path /s3.`);
  });
});
