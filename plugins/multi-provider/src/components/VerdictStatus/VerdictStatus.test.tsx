import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { VerdictStatus } from './VerdictStatus';

describe('VerdictStatus', () => {
  it.each(['survives', 'degraded', 'down'] as const)(
    'says %s',
    async verdict => {
      renderInTestApp(<VerdictStatus verdict={verdict} />);
      expect(await screen.findByText(verdict)).toBeInTheDocument();
    },
  );
});
