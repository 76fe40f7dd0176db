import * as k8s from '@kubernetes/client-node';
import { canaryCulprit } from './labFixture';

const pod = (nodeName?: string, phase?: string): k8s.V1Pod => ({
  spec: { nodeName, containers: [] },
  status: { phase },
});

describe('canaryCulprit: which lab component a canary Deployment that does not run points at', () => {
  it('no pod: the controller manager did not create it', () => {
    expect(canaryCulprit([])).toBe('kube-controller-manager');
  });
  it('a pod without a node: the scheduler did not place it', () => {
    expect(canaryCulprit([pod(undefined, 'Pending')])).toBe('kube-scheduler');
  });
  it('placed but not Running: kwok did not run it', () => {
    expect(canaryCulprit([pod('n1', 'Pending')])).toBe('kwok');
  });
  it('Running: nobody', () => {
    expect(canaryCulprit([pod('n1', 'Running')])).toBeUndefined();
  });
});
