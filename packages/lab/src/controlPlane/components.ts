import fs from 'node:fs';
import path from 'node:path';
import { LabPaths } from '../paths';
import { ProcessSpec } from './processes';

/** Loopback ports; override with environment variables when they clash with something else. */
export const PORTS = {
  etcdClient: Number(process.env.CLOUDLAB_LAB_ETCD_PORT ?? 23790),
  etcdPeer: Number(process.env.CLOUDLAB_LAB_ETCD_PEER_PORT ?? 23800),
  apiserver: Number(process.env.CLOUDLAB_LAB_APISERVER_PORT ?? 6443),
  controllerManager: Number(process.env.CLOUDLAB_LAB_KCM_PORT ?? 10257),
  scheduler: Number(process.env.CLOUDLAB_LAB_SCHEDULER_PORT ?? 10259),
};

/** The API server's URL as clients see it. */
export const apiserverUrl = () => `https://127.0.0.1:${PORTS.apiserver}`;

/** Component names in start order (stop order is the reverse). */
export const COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;
/** One of the lab's processes. */
export type Component = (typeof COMPONENTS)[number];

/** Client QPS for the controllers and kwok: the defaults (20-50) make `lab scale` crawl. */
const CLIENT_QPS = 500;
const CLIENT_BURST = 1000;

/** The command line of each component. */
export function componentSpecs(p: LabPaths): Record<Component, ProcessSpec> {
  const pki = (f: string) => path.join(p.pki, f);
  const kubeconfig = (user: string) => path.join(p.state, `${user}.kubeconfig`);
  const schedulerConfig = path.join(p.state, 'kube-scheduler.yaml');
  const auditPolicy = writeAuditPolicy(p);
  fs.writeFileSync(
    schedulerConfig,
    [
      'apiVersion: kubescheduler.config.k8s.io/v1',
      'kind: KubeSchedulerConfiguration',
      'clientConnection:',
      `  kubeconfig: ${kubeconfig('scheduler')}`,
      `  qps: ${CLIENT_QPS}`,
      `  burst: ${CLIENT_BURST}`,
      'leaderElection:',
      '  leaderElect: false',
      '',
    ].join('\n'),
  );
  return {
    etcd: {
      name: 'etcd',
      bin: path.join(p.bin, 'etcd'),
      args: [
        '--name=cloudlab-lab',
        `--data-dir=${p.etcdData}`,
        `--listen-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
        `--initial-cluster=cloudlab-lab=http://127.0.0.1:${PORTS.etcdPeer}`,
        '--quota-backend-bytes=8589934592',
        // A lab on a laptop disk: don't fsync-bound the apiserver (data is disposable).
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    },
    'kube-apiserver': {
      name: 'kube-apiserver',
      bin: path.join(p.bin, 'kube-apiserver'),
      args: [
        `--etcd-servers=http://127.0.0.1:${PORTS.etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${PORTS.apiserver}`,
        `--tls-cert-file=${pki('apiserver.crt')}`,
        `--tls-private-key-file=${pki('apiserver.key')}`,
        `--client-ca-file=${pki('ca.crt')}`,
        '--authorization-mode=Node,RBAC',
        // The defaults already include PodSecurity and ValidatingAdmissionPolicy; named so a reader
        // (and a future default change) cannot miss them.
        '--enable-admission-plugins=NodeRestriction,PodSecurity,ValidatingAdmissionPolicy',
        `--service-account-key-file=${pki('sa.pub')}`,
        `--service-account-signing-key-file=${pki('sa.key')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        '--service-cluster-ip-range=10.96.0.0/16',
        // The API server listens on loopback, which may not be an Endpoints address: no in-cluster
        // `kubernetes` endpoints (nothing runs in a pod network; controllers use the kubeconfig).
        '--endpoint-reconciler-type=none',
        // Aggregation layer: extension API servers (e.g. metrics) authenticate the API server's proxy.
        `--requestheader-client-ca-file=${pki('ca.crt')}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki('front-proxy-client.crt')}`,
        `--proxy-client-key-file=${pki('front-proxy-client.key')}`,
        '--allow-privileged=true',
        '--max-requests-inflight=800',
        '--max-mutating-requests-inflight=400',
        '--profiling=false',
        // Who asked for what: the lab proves the portal never requests Secrets (security property 6).
        `--audit-policy-file=${auditPolicy}`,
        `--audit-log-path=${p.auditLog}`,
        '--audit-log-format=json',
        '--audit-log-maxsize=100',
        '--audit-log-maxbackup=2',
        '--v=1',
      ],
    },
    'kube-controller-manager': {
      name: 'kube-controller-manager',
      bin: path.join(p.bin, 'kube-controller-manager'),
      args: [
        `--kubeconfig=${kubeconfig('controller-manager')}`,
        `--authentication-kubeconfig=${kubeconfig('controller-manager')}`,
        `--authorization-kubeconfig=${kubeconfig('controller-manager')}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${PORTS.controllerManager}`,
        '--leader-elect=false',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki('sa.key')}`,
        `--root-ca-file=${pki('ca.crt')}`,
        `--cluster-signing-cert-file=${pki('ca.crt')}`,
        `--cluster-signing-key-file=${pki('ca.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        `--kube-api-qps=${CLIENT_QPS}`,
        `--kube-api-burst=${CLIENT_BURST}`,
        '--concurrent-replicaset-syncs=10',
        '--concurrent-deployment-syncs=10',
        '--profiling=false',
        '--v=1',
      ],
    },
    'kube-scheduler': {
      name: 'kube-scheduler',
      bin: path.join(p.bin, 'kube-scheduler'),
      args: [
        `--config=${schedulerConfig}`,
        `--authentication-kubeconfig=${kubeconfig('scheduler')}`,
        `--authorization-kubeconfig=${kubeconfig('scheduler')}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${PORTS.scheduler}`,
        '--profiling=false',
        '--v=1',
      ],
    },
    kwok: {
      name: 'kwok',
      bin: path.join(p.bin, 'kwok'),
      args: [
        `--kubeconfig=${kubeconfig('kwok')}`,
        `--config=${path.join(p.kwokDir, 'kwok.yaml')}`,
        `--config=${path.join(p.kwokDir, 'node-stages.yaml')}`,
        `--config=${path.join(p.kwokDir, 'pod-stages.yaml')}`,
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-lease-duration-seconds=40',
        '--cidr=10.244.0.0/16',
        '--node-ip=10.0.0.1',
      ],
    },
  };
}

/**
 * The lab API server's audit policy: every request touching Secrets (any verb, any user) and
 * every request of a ServiceAccount of the portal's namespace at Metadata level (never request
 * or response bodies), nothing else. The lab proves with it that the portal never requests a
 * Secret (security property 6) and that its other requests are audited (the positive control).
 */
export const AUDIT_POLICY = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: [RequestReceived]',
  'rules:',
  '  - level: Metadata',
  '    resources:',
  '      - group: ""',
  '        resources: [secrets]',
  '  - level: Metadata',
  '    userGroups: ["system:serviceaccounts:cloudlab-portal"]',
  '  - level: None',
  '',
].join('\n');

function writeAuditPolicy(p: LabPaths): string {
  const file = path.join(p.state, 'audit-policy.yaml');
  fs.mkdirSync(p.logs, { recursive: true });
  fs.writeFileSync(file, AUDIT_POLICY);
  return file;
}

/** Kubeconfig users the lab writes (one client certificate each). */
export const KUBECONFIG_USERS = [
  'admin',
  'controller-manager',
  'scheduler',
  'kwok',
];
