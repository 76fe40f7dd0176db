import {
  formatBytes,
  formatCpu,
  percent,
  ratio,
  utilisation,
  utilisationLevel,
} from './format';

describe('format', () => {
  it('formats CPU', () => {
    expect(formatCpu(250)).toBe('250m');
    expect(formatCpu(1000)).toBe('1 core');
    expect(formatCpu(1500)).toBe('1.5 cores');
    expect(formatCpu(16000)).toBe('16 cores');
  });

  it('formats memory in binary units', () => {
    expect(formatBytes(512 * 1024)).toBe('512 KiB');
    expect(formatBytes(256 * 1024 ** 2)).toBe('256 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
  });

  it('computes ratios without dividing by zero', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(5, 0)).toBe(0);
    expect(percent(0.456)).toBe('46%');
  });

  it('takes the larger of CPU and memory as utilisation', () => {
    expect(
      utilisation({
        requested: { cpuMillis: 500, memoryBytes: 3 },
        allocatable: { cpuMillis: 1000, memoryBytes: 4 },
      }),
    ).toEqual({ cpu: 0.5, memory: 0.75, max: 0.75 });
  });

  it('bands utilisation', () => {
    expect(utilisationLevel(0)).toBe('low');
    expect(utilisationLevel(0.6)).toBe('medium');
    expect(utilisationLevel(0.9)).toBe('high');
    expect(utilisationLevel(1)).toBe('full');
    expect(utilisationLevel(1.3)).toBe('full');
  });
});
