import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '@geokv/config';
import { defaultAdminUrl, nodeFlagsFor, repoRoot, withAdmin, type AppName } from '@geokv/test-support';
import { GatewayConfig } from '../../apps/gateway/src/gateway.config';
import { MembershipConfig } from '../../apps/membership/src/membership.config';
import { ReplicatorConfig } from '../../apps/replicator/src/replicator.config';
import { StorageNodeConfig } from '../../apps/storage-node/src/storage-node.config';

/**
 * The Kubernetes manifests (deploy/k8s) as each app would boot from them: every variable a container sets
 * is one its app reads, the resolved environment passes the app's own validation at boot, the command
 * starts a script the build makes, probes and services point at the app's port, and each region's overlay
 * names its region. The database init container's script runs against the real PostgreSQL. No Kubernetes
 * here: `kubectl apply -k` itself is not exercised (the README says so).
 */
describe('Kubernetes manifests (deploy/k8s)', () => {
  const root = repoRoot();
  const k8s = join(root, 'deploy', 'k8s');
  const REGIONS = ['us-east', 'eu-west', 'ap-south'];
  const CONFIG_OF: Record<string, new () => object> = {
    gateway: GatewayConfig,
    membership: MembershipConfig,
    replicator: ReplicatorConfig,
    'storage-node': StorageNodeConfig,
  };

  const parse = (file: string): unknown[] => parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS() as unknown);
  const kustomization = (dir: string): Kustomization => parse(join(dir, 'kustomization.yaml'))[0] as Kustomization;
  const resources = kustomization(join(k8s, 'base')).resources.flatMap((file) => parse(join(k8s, 'base', file)) as Resource[]);
  const workloads = resources.filter((resource): resource is Workload => resource.kind === 'Deployment' || resource.kind === 'StatefulSet');
  const services = resources.filter((resource): resource is Service => resource.kind === 'Service');
  const statefulSet = workloads.find((workload) => workload.kind === 'StatefulSet')!;

  /** What Secret geokv-backends, the region's ConfigMap and the downward API give a pod, as examples. */
  const SOURCES: Record<string, string> = {
    'secret:REDIS_URL': 'redis://redis.geokv:6379',
    'secret:POSTGRES_SERVER_URL': 'postgres://geokv:s3cret@postgres.geokv:5432',
    'secret:GEOKV_PEERS': 'eu-west=redis://redis.eu-west.example:6379,ap-south=redis://redis.ap-south.example:6379',
    'secret:GEOKV_API_KEYS': 'data-key-0123456789abcdef,data-key-fedcba9876543210',
    'secret:GEOKV_ADMIN_API_KEYS': 'admin-key-0123456789abcdef',
    'configMap:GEOKV_REGION': 'us-east',
    'field:metadata.name': 'storage-node-0',
    'field:status.podIP': '10.0.0.7',
  };

  /** A container's environment as the kubelet builds it: sources read, then $(VAR) expanded in order. */
  function environmentOf(container: Container): Record<string, string> {
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) {
      const from = variable.valueFrom;
      const source = from?.secretKeyRef
        ? `secret:${from.secretKeyRef.key}`
        : from?.configMapKeyRef
          ? `configMap:${from.configMapKeyRef.key}`
          : from?.fieldRef
            ? `field:${from.fieldRef.fieldPath}`
            : null;
      if (source !== null) {
        expect(SOURCES).toHaveProperty([source]);
        env[variable.name] = SOURCES[source];
      } else {
        env[variable.name] = (variable.value ?? '').replace(/\$\(([A-Z_]+)\)/g, (reference: string, name: string) => env[name] ?? reference);
      }
    }
    return env;
  }

  const geokvContainers = workloads.flatMap((workload) => workload.spec.template.spec.containers.map((container) => ({ container, app: workload.metadata.name })));

  it('runs every app, each from a script the build makes, with the V8 flags of the local cluster', () => {
    expect(geokvContainers.map(({ app }) => app).sort()).toEqual(Object.keys(CONFIG_OF).sort());
    for (const { container, app } of geokvContainers) {
      expect(container.image).toBe('geokv');
      const script = `dist/apps/${app}/src/main.js`;
      expect(container.command).toEqual(['node', ...nodeFlagsFor(app as AppName), script]);
      expect(existsSync(join(root, script))).toBe(true);
    }
  });

  it("sets only variables the app reads (or that another refers to), and they pass the app's validation", () => {
    for (const { container, app } of geokvContainers) {
      const env = environmentOf(container);
      const config = loadConfig(CONFIG_OF[app], env) as Record<string, unknown>;
      const referenced = new Set((container.env ?? []).flatMap((variable) => [...(variable.value ?? '').matchAll(/\$\(([A-Z_]+)\)/g)].map((match) => match[1])));
      const unread = Object.keys(env).filter((name) => !(name in config) && !referenced.has(name));
      expect({ app, unread }).toEqual({ app, unread: [] });
      // Nothing left unexpanded: a misspelt reference would reach the app literally.
      expect({ app, unexpanded: Object.values(env).filter((value) => value.includes('$(')) }).toEqual({ app, unexpanded: [] });
    }
  });

  it('gives each storage node its own database, named after the pod, and membership the control plane', () => {
    const node = geokvContainers.find(({ app }) => app === 'storage-node')!;
    expect(environmentOf(node.container)).toMatchObject({
      GEOKV_NODE_ID: 'storage-node-0',
      DATABASE_URL: 'postgres://geokv:s3cret@postgres.geokv:5432/geokv_storage-node-0',
      GEOKV_ADVERTISE_URL: 'http://10.0.0.7:7100',
    });
    const membership = geokvContainers.find(({ app }) => app === 'membership')!;
    const membershipEnv = environmentOf(membership.container);
    expect(membershipEnv.DATABASE_URL).toBe('postgres://geokv:s3cret@postgres.geokv:5432/geokv_membership');
    // The ring of a new region is the StatefulSet's first pods.
    const seeds = Array.from({ length: statefulSet.spec.replicas }, (_, i) => `${statefulSet.metadata.name}-${i}`);
    expect(membershipEnv.GEOKV_SEED_NODES.split(',')).toEqual(seeds);
  });

  it("probes each app's health endpoints on its own port, and every Service reaches a workload's port", () => {
    for (const { container, app } of geokvContainers) {
      const port = loadConfig(CONFIG_OF[app], environmentOf(container)) as unknown as { PORT: number };
      expect(container.ports).toEqual([{ name: 'http', containerPort: port.PORT }]);
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    }
    for (const service of services) {
      const target = workloads.find((workload) =>
        Object.entries(service.spec.selector).every(([label, value]) => workload.spec.template.metadata.labels[label] === value),
      );
      expect({ service: service.metadata.name, found: target !== undefined }).toEqual({ service: service.metadata.name, found: true });
      const ports = target!.spec.template.spec.containers.flatMap((container) => (container.ports ?? []).map((port) => port.name));
      for (const port of service.spec.ports) expect(ports).toContain(port.targetPort);
    }
  });

  it('has one overlay per region of npm start, each naming its region', () => {
    const namespace = kustomization(join(k8s, 'base')).namespace;
    for (const region of REGIONS) {
      const overlay = kustomization(join(k8s, 'regions', region));
      expect(overlay.resources).toEqual(['../../base']);
      // Without the base's namespace the region's ConfigMap lands elsewhere, and kustomize leaves the
      // workloads' references to it without its hashed name.
      expect(overlay.namespace).toBe(namespace);
      expect(overlay.configMapGenerator).toEqual([{ name: 'geokv-region', literals: [`GEOKV_REGION=${region}`] }]);
    }
  });

  describe('the database init container, against the real PostgreSQL', () => {
    const database = `geokv_k8s-it-${process.pid}`;
    const drop = (): Promise<unknown> => withAdmin(defaultAdminUrl(), (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    const exists = (): Promise<boolean> =>
      withAdmin(defaultAdminUrl(), async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1);

    afterAll(() => drop());

    it("creates the node's database on first start, and starts again once it exists", async () => {
      const [init] = statefulSet.spec.template.spec.initContainers ?? [];
      const serverUrl = new URL(defaultAdminUrl());
      serverUrl.pathname = '';
      serverUrl.search = '';
      const env = {
        ...process.env,
        POSTGRES_SERVER_URL: serverUrl.toString().replace(/\/$/, ''),
        DATABASE: (init.env ?? []).find((variable) => variable.name === 'DATABASE')?.value?.replace('$(NODE_ID)', `k8s-it-${process.pid}`),
      };
      expect(env.DATABASE).toBe(database);
      const [shell, ...args] = init.command;
      await promisify(execFile)(shell, args, { env, timeout: 30_000 });
      expect(await exists()).toBe(true);
      // A restarted pod runs it again: it must not fail on the database it made.
      await promisify(execFile)(shell, args, { env, timeout: 30_000 });
      expect(await exists()).toBe(true);
    }, 60_000);
  });
});

/** The parts of the manifests this test reads. */
interface Kustomization {
  readonly namespace?: string;
  readonly resources: string[];
  readonly configMapGenerator?: { readonly name: string; readonly literals: string[] }[];
}

interface Resource {
  readonly kind: string;
  readonly metadata: { readonly name: string };
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly key: string };
    readonly configMapKeyRef?: { readonly key: string };
    readonly fieldRef?: { readonly fieldPath: string };
  };
}

interface Container {
  readonly image: string;
  readonly command: string[];
  readonly env?: EnvVar[];
  readonly ports?: { readonly name: string; readonly containerPort: number }[];
  readonly readinessProbe?: { readonly httpGet: unknown };
  readonly livenessProbe?: { readonly httpGet: unknown };
}

interface Workload extends Resource {
  readonly spec: {
    readonly replicas: number;
    readonly template: {
      readonly metadata: { readonly labels: Record<string, string> };
      readonly spec: { readonly containers: Container[]; readonly initContainers?: Container[] };
    };
  };
}

interface Service extends Resource {
  readonly spec: { readonly selector: Record<string, string>; readonly ports: { readonly targetPort: string }[] };
}
