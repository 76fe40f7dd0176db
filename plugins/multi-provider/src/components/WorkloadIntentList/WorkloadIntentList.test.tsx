import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  summariseWorkloadIntents,
  type ClusterPlacement,
} from '@cloudlab/plugin-multi-provider-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { piholePlacement, pod } from '../../__fixtures__/placement';
import { ClusterPlacementCard } from '../ClusterPlacementCard';
import { WorkloadIntentList } from './WorkloadIntentList';

/** A Pi-hole bound by hand to a Scaleway node although it selects Hetzner. */
function misplaced(): ClusterPlacement {
  const lab = piholePlacement().clusters[0];
  const node = lab.providers[0].regions[0].zones[0].nodes[0];
  node.pods = [
    pod('pihole-hetzner-7d9f-abcde', {
      intent: {
        nodeSelector: { 'cfke.io/provider': 'hetzner' },
        podAntiAffinity: ['not with app=pihole per kubernetes.io/hostname'],
        topologySpread: [
          {
            topologyKey: 'topology.kubernetes.io/zone',
            maxSkew: 1,
            whenUnsatisfiable: 'DoNotSchedule',
          },
        ],
        tolerations: ['dedicated=dns:NoSchedule'],
      },
      intentStatus: 'violated',
      intentMatches: false,
      reasons: [
        'nodeSelector cfke.io/provider=hetzner but node hz-fsn1-1 has scaleway',
      ],
    }),
  ];
  lab.unscheduled = [];
  return lab;
}

describe('WorkloadIntentList', () => {
  it('shows every declared intent as a chip and the verdict with its reason', async () => {
    renderInTestApp(
      <WorkloadIntentList workloads={summariseWorkloadIntents(misplaced())} />,
    );
    const hetzner = await screen.findByRole('region', {
      name: 'intent of pihole-hetzner/Deployment/pihole',
    });
    expect(
      within(hetzner).getByLabelText(
        'selector provider=hetzner: hard intent violated',
      ),
    ).toBeInTheDocument();
    expect(
      within(hetzner).getByLabelText(
        'anti-affinity (required): reality matches',
      ),
    ).toBeInTheDocument();
    expect(
      within(hetzner).getByLabelText('spread zone ≤1: reality matches'),
    ).toBeInTheDocument();
    expect(
      within(hetzner).getByLabelText(
        'tolerates dedicated=dns:NoSchedule: reality matches',
      ),
    ).toBeInTheDocument();
    expect(
      within(hetzner).getByText('hard intent violated'),
    ).toBeInTheDocument();
    expect(
      within(
        within(hetzner).getByRole('list', {
          name: 'why pihole does not match',
        }),
      ).getByText(
        'nodeSelector cfke.io/provider=hetzner but node hz-fsn1-1 has scaleway',
      ),
    ).toBeInTheDocument();
  });

  it('explains a chip in its tooltip: what it means, hard or soft, and why not', async () => {
    renderInTestApp(
      <WorkloadIntentList workloads={summariseWorkloadIntents(misplaced())} />,
    );
    await userEvent.hover(
      await screen.findByLabelText(
        'selector provider=hetzner: hard intent violated',
      ),
    );
    expect(
      await screen.findByText(
        /Hard: the scheduler enforces it\. Hard intent violated: nodeSelector cfke.io\/provider=hetzner but node hz-fsn1-1 has scaleway/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'nodeSelector: only nodes labelled cfke.io/provider=hetzner',
      ),
    ).toBeInTheDocument();
  });

  it('says when a workload matches and lists no reasons', async () => {
    const lab = piholePlacement().clusters[0];
    lab.unscheduled = [];
    renderInTestApp(
      <WorkloadIntentList workloads={summariseWorkloadIntents(lab)} />,
    );
    const hetzner = await screen.findByRole('region', {
      name: 'intent of pihole-hetzner/Deployment/pihole',
    });
    expect(
      within(hetzner).getByText('intent matches reality'),
    ).toBeInTheDocument();
    expect(within(hetzner).queryByRole('list')).not.toBeInTheDocument();
  });

  it('is part of the Placement card, with a soft spread missed on Scaleway', async () => {
    renderInTestApp(
      <ClusterPlacementCard placement={piholePlacement().clusters[0]} />,
    );
    expect(
      await screen.findByRole('region', {
        name: 'intent of pihole-hetzner/Deployment/pihole',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('spread zone ≤1: reality matches'),
    ).toBeInTheDocument();
  });
});
