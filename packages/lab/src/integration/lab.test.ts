import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { outage } from '../commands/outage';
import { parseObjects } from '@cloudlab/plugin-multi-provider-node';
import { KubeRest, statusMessage } from '../kube/rest';
import { findProvider } from '../registry/labProviders';
import {
  describeLab,
  eventually,
  labFixture,
  LabFixture,
  nodeProviders,
  piholeInstances,
  providerOf,
  showPods,
  createTestNamespace,
} from './labFixture';

jest.setTimeout(300_000);

describeLab('the lab (integration, against the running lab)', () => {
  let lab: LabFixture;
  beforeAll(async () => {
    lab = await labFixture();
  });

  const runningPods = async (namespace: string) =>
    (await lab.clients.core.listNamespacedPod({ namespace })).items.filter(
      p => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp,
    );

  describe('Pi-hole, once per provider', () => {
    it('there is one instance per provider of the registry', async () => {
      const instances = await piholeInstances(lab.clients);
      expect(instances.map(i => i.provider).sort()).toEqual(
        lab.providers.map(p => p.name).sort(),
      );
    });

    it('each instance runs on its own provider and its PVC is bound to a volume of that provider', async () => {
      const nodes = await nodeProviders(lab.clients);
      for (const { namespace, provider } of await piholeInstances(
        lab.clients,
      )) {
        const pods = await eventually(
          `${namespace} Running`,
          () => runningPods(namespace),
          p => p.length > 0,
          showPods,
        );
        for (const pod of pods) {
          expect(
            `${pod.metadata?.name} on ${providerOf(
              nodes.get(pod.spec!.nodeName!),
            )}`,
          ).toBe(`${pod.metadata?.name} on ${provider}`);
        }
        const storage = findProvider(lab.providers, provider)!.storage;
        const pvcs = (
          await lab.clients.core.listNamespacedPersistentVolumeClaim({
            namespace,
          })
        ).items;
        expect(pvcs.length).toBeGreaterThan(0);
        for (const pvc of pvcs) {
          expect(
            `${namespace}/${pvc.metadata?.name} ${pvc.status?.phase}`,
          ).toBe(`${namespace}/${pvc.metadata?.name} Bound`);
          const pv = await lab.clients.core.readPersistentVolume({
            name: pvc.spec!.volumeName!,
          });
          expect(pv.spec?.csi?.driver).toBe(storage.csiDriver);
          const term =
            pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]
              ?.matchExpressions?.[0];
          expect(term?.key).toBe(storage.topologyKey);
          // The pod's node is inside the volume's topology domain.
          for (const pod of pods) {
            expect(term?.values).toContain(
              nodes.get(pod.spec!.nodeName!)?.metadata?.labels?.[
                storage.topologyKey
              ],
            );
          }
        }
      }
    });
  });

  describe('volume topology', () => {
    // Unique per run: the previous run's namespace may still be terminating.
    const namespace = `lab-test-locality-${Date.now().toString(36)}`;
    afterAll(async () => {
      await lab.clients.core
        .deleteNamespace({ name: namespace })
        .catch(() => undefined);
    });

    it('a PVC bound to a Scaleway volume forces its pod onto Scaleway nodes in that zone', async () => {
      const scaleway = findProvider(lab.providers, 'scaleway')!;
      const key = scaleway.storage.topologyKey;
      // Pick an unused pool volume in the zone with the fewest Scaleway nodes, so chance cannot pass the test.
      const pvs = (
        await lab.clients.core.listPersistentVolume({
          labelSelector: 'cloudlab.dev/lab-volume-pool=true',
        })
      ).items;
      const zoneOf = (pv: k8s.V1PersistentVolume) =>
        pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]
          ?.matchExpressions?.[0]?.values?.[0];
      const pv = pvs.find(
        p =>
          p.spec?.csi?.driver === scaleway.storage.csiDriver &&
          p.status?.phase === 'Available' &&
          zoneOf(p) === 'fr-par-2',
      );
      expect(pv).toBeDefined();
      const zone = zoneOf(pv!)!;
      await createTestNamespace(lab.clients, namespace);
      await lab.clients.core.createNamespacedPersistentVolumeClaim({
        namespace,
        body: {
          metadata: { name: 'data' },
          spec: {
            storageClassName: pv!.spec!.storageClassName,
            volumeName: pv!.metadata!.name,
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: pv!.spec!.capacity!.storage } },
          },
        },
      });
      // No nodeSelector, no affinity: only the volume's nodeAffinity constrains the scheduler.
      await lab.clients.core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'uses-scaleway-volume' },
          spec: {
            containers: [{ name: 'app', image: 'lab-app:never-pulled' }],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
            ],
          },
        },
      });
      const pod = await eventually(
        'the pod to be scheduled and Running',
        () =>
          lab.clients.core.readNamespacedPod({
            name: 'uses-scaleway-volume',
            namespace,
          }),
        p => p.status?.phase === 'Running',
        p => showPods([p]),
      );
      const node = await lab.clients.core.readNode({
        name: pod.spec!.nodeName!,
      });
      expect(`${providerOf(node)} ${node.metadata?.labels?.[key]}`).toBe(
        `scaleway ${zone}`,
      );
    });
  });

  describe('failure domains', () => {
    afterAll(async () => {
      await outage('hetzner', false);
    });

    it('during a Hetzner outage the Scaleway Pi-hole keeps running and the Hetzner one is not Running; after restore both run', async () => {
      const instances = await piholeInstances(lab.clients);
      const hetzner = instances.find(i => i.provider === 'hetzner')!.namespace;
      const scaleway = instances.find(
        i => i.provider === 'scaleway',
      )!.namespace;

      await outage('hetzner', true);
      await eventually(
        `no Running pod in ${hetzner}`,
        () => runningPods(hetzner),
        p => p.length === 0,
        showPods,
      );
      // The replacement pod exists but cannot go anywhere: its volume and nodeSelector are Hetzner's.
      const pending = await eventually(
        `a Pending replacement in ${hetzner}`,
        async () =>
          (
            await lab.clients.core.listNamespacedPod({ namespace: hetzner })
          ).items,
        p => p.some(x => x.status?.phase === 'Pending'),
        showPods,
      );
      expect(
        pending
          .filter(p => !p.metadata?.deletionTimestamp)
          .every(p => p.status?.phase !== 'Running'),
      ).toBe(true);
      expect((await runningPods(scaleway)).length).toBeGreaterThan(0);

      await outage('hetzner', false);
      await eventually(
        `${hetzner} Running again`,
        () => runningPods(hetzner),
        p => p.length > 0,
        showPods,
      );
      expect((await runningPods(scaleway)).length).toBeGreaterThan(0);
    });
  });

  describe('gitops policies, enforced by the API server', () => {
    let rest: KubeRest;
    beforeAll(() => {
      rest = new KubeRest(lab.clients.kc);
    });
    const dryRunCreate = async (yaml: string) => {
      const [o] = parseObjects(yaml);
      const res = await rest.request(
        'POST',
        `${await rest.objectPath(o, false)}?dryRun=All`,
        JSON.stringify(o),
      );
      return { status: res.status, message: statusMessage(res) };
    };

    // A policy denial is 403 (reason Forbidden) or 422 (Invalid), always naming the policy.
    const rejected = (r: { status: number; message: string }) =>
      (r.status === 403 || r.status === 422) &&
      /ValidatingAdmissionPolicy '/.test(r.message);

    it('rejects a PVC without storageClassName with the policy message', async () => {
      const r = await dryRunCreate(
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: no-class, namespace: default}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}\n',
      );
      expect(rejected(r)).toBe(true);
      expect(r.message).toMatch(
        /cloudlab-pvc-storage-class.*PersistentVolumeClaim no-class must name its storageClassName/,
      );
    });

    it('rejects a Secret from Git with the policy message', async () => {
      const r = await dryRunCreate(
        'apiVersion: v1\nkind: Secret\nmetadata: {name: from-git, namespace: default, labels: {kustomize.toolkit.fluxcd.io/name: apps}}\nstringData: {password: x}\n',
      );
      expect(rejected(r)).toBe(true);
      expect(r.message).toMatch(
        /cloudlab-no-secrets-from-git.*Secret from-git is applied from Git/,
      );
    });

    it('admits a Secret that does not come from Git (the policy does not over-fire)', async () => {
      const r = await dryRunCreate(
        'apiVersion: v1\nkind: Secret\nmetadata: {name: local, namespace: default}\nstringData: {a: b}\n',
      );
      expect(r.status).toBe(201);
    });

    it('rejects every bad fixture of gitops/tests/fixtures that expects a policy, with its message', async () => {
      const dir = path.join(
        lab.paths.root,
        'gitops',
        'tests',
        'fixtures',
        'bad',
      );
      const files = fs.existsSync(dir)
        ? fs.readdirSync(dir).filter(f => f.endsWith('.yaml'))
        : [];
      const checked: string[] = [];
      for (const f of files) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        const m = /^# expect: \[policy ([\w-]+)\] (.*)$/m.exec(text);
        if (!m) continue;
        const r = await dryRunCreate(text);
        expect(
          `${f}: ${rejected(r) ? 'rejected' : `admitted (HTTP ${r.status})`}`,
        ).toBe(`${f}: rejected`);
        expect(`${f}: ${r.message}`).toContain(m[1]);
        expect(`${f}: ${r.message}`).toContain(m[2].trim());
        checked.push(f);
      }
      expect(checked.length).toBeGreaterThan(0);
    });
  });

  describe('the portal ServiceAccount (token in .cache/lab/portal-token)', () => {
    let portal: k8s.CoreV1Api;
    beforeAll(() => {
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: 'lab',
            server: fs.readFileSync(lab.paths.apiserverUrl, 'utf8').trim(),
            caFile: lab.paths.caCert,
          },
        ],
        users: [
          {
            name: 'portal',
            token: fs.readFileSync(lab.paths.portalToken, 'utf8').trim(),
          },
        ],
        contexts: [{ name: 'lab', cluster: 'lab', user: 'portal' }],
        currentContext: 'lab',
      });
      portal = kc.makeApiClient(k8s.CoreV1Api);
    });

    it('can list pods and nodes', async () => {
      expect(
        (await portal.listPodForAllNamespaces()).items.length,
      ).toBeGreaterThan(0);
      expect((await portal.listNode()).items.length).toBeGreaterThan(0);
    });

    it('gets 403 on secrets', async () => {
      await expect(portal.listSecretForAllNamespaces()).rejects.toMatchObject({
        code: 403,
      });
      await expect(
        portal.listNamespacedSecret({ namespace: 'default' }),
      ).rejects.toMatchObject({ code: 403 });
    });
  });
});
