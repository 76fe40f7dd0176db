import { createExtensionTester } from '@backstage/frontend-test-utils';
import plugin from './index';

describe('multi-provider plugin', () => {
  it('declares its id and the three extensions by id', () => {
    expect(plugin.pluginId).toBe('multi-provider');
    expect(plugin.getExtension('api:multi-provider')).toBeDefined();
    expect(
      plugin.getExtension('entity-content:multi-provider/placement'),
    ).toBeDefined();
    expect(plugin.getExtension('page:multi-provider')).toBeDefined();
  });

  it('mounts the providers page at /multi-provider', () => {
    const tester = createExtensionTester(
      plugin.getExtension('page:multi-provider'),
    );
    expect(tester.snapshot().id).toBe('page:multi-provider');
  });
});
