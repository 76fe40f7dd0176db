import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod';
import { ChangeSet } from '../lib/ChangeSet';
import { changeOutput, dnsLabel } from '../lib/fields';
import { baseDir, readWorkloadInstances } from '../lib/gitopsTree';
import {
  findObject,
  parseDocuments,
  setIfDifferent,
  stringifyDocuments,
} from '../lib/yamlFiles';
import { ensureOverlayPatch } from '../lib/overlayPatches';
import { examples } from './tailscaleExpose.examples';
import {
  actionSchema,
  parseInput,
  runChange,
  zodObject,
} from '../lib/runChange';

type Z = typeof zod;

export const tailscaleExposeInput = {
  workload: (z: Z) =>
    dnsLabel(z, 'workload', 40).describe(
      'Existing workload under gitops/apps/',
    ),
  service: (z: Z) =>
    dnsLabel(z, 'service')
      .optional()
      .describe("Service in the workload's base; default the workload name"),
  hostname: (z: Z) =>
    dnsLabel(z, 'hostname', 40)
      .optional()
      .describe(
        'Tailnet hostname prefix; each instance gets <hostname>-<instance>',
      ),
};

type Input = zod.infer<
  ReturnType<typeof zodObject<typeof tailscaleExposeInput>>
>;

export async function stageTailscaleExposure(cs: ChangeSet, input: Input) {
  const instances = await readWorkloadInstances(cs, input.workload);
  const service = input.service ?? input.workload;
  const hostname = input.hostname ?? input.workload;
  const file = `${baseDir(input.workload)}/service.yaml`;
  const text = await cs.read(file);
  const docs = text ? parseDocuments(text, file) : [];
  const svc = findObject(docs, 'Service', service);
  if (!svc) throw new InputError(`service: no Service '${service}' in ${file}`);
  // loadBalancerClass rather than annotations: the operator then owns only this Service's LB.
  setIfDifferent(svc, ['spec', 'type'], 'LoadBalancer');
  setIfDifferent(svc, ['spec', 'loadBalancerClass'], 'tailscale');
  setIfDifferent(
    svc,
    ['metadata', 'annotations', 'tailscale.com/hostname'],
    hostname,
  );
  const updated = stringifyDocuments(docs);
  if (updated !== text) await cs.write(file, updated);
  for (const instance of instances) {
    await ensureOverlayPatch(
      cs,
      instance.dir,
      { kind: 'Service', name: service },
      [
        {
          op: 'replace',
          path: '/metadata/annotations/tailscale.com~1hostname',
          value: `${hostname}-${instance.name}`,
        },
      ],
    );
  }
}

/**
 * `cloudlab:tailscale:expose` - a Service on the tailnet (loadBalancerClass tailscale), one
 * hostname per instance; the provider component already selects the provider's ProxyClass.
 */
export function createTailscaleExposeAction() {
  return createTemplateAction({
    id: 'cloudlab:tailscale:expose',
    description:
      "Exposes a workload's Service on the tailnet (loadBalancerClass tailscale) with one hostname per instance.",
    examples,
    supportsDryRun: true,
    schema: actionSchema(tailscaleExposeInput, changeOutput),
    async handler(ctx) {
      const input = parseInput(zodObject(tailscaleExposeInput), ctx.input);
      await runChange(ctx, 'cloudlab-tailscale-expose', cs =>
        stageTailscaleExposure(cs, input),
      );
    },
  });
}
