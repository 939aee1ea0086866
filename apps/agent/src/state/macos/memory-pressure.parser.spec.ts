import { macosFixture } from '../fixtures/read-fixture';
import { parseMemoryPressure } from './memory-pressure.parser';
import { parseVmPressureLevel } from './vm-pressure-level.parser';

describe(parseMemoryPressure.name, () => {
  it('reads 63% free of 16 GB as normal with 10.08 GB free', () => {
    expect(parseMemoryPressure(macosFixture('memory-pressure-normal.txt'))).toEqual({
      memory_pressure: 'normal',
      memory_free_gb: 10.08,
      memory_total_gb: 16,
    });
  });

  it('reads 17% free as warn and 6% free as critical', () => {
    expect(parseMemoryPressure(macosFixture('memory-pressure-warn.txt'))).toMatchObject({ memory_pressure: 'warn' });
    expect(parseMemoryPressure(macosFixture('memory-pressure-critical.txt'))).toMatchObject({
      memory_pressure: 'critical',
      memory_free_gb: 0.96,
    });
  });

  it('tells nothing from output without the summary line', () => {
    expect(parseMemoryPressure('usage: memory_pressure [-l warn|critical]\n')).toEqual({});
  });
});

describe(parseVmPressureLevel.name, () => {
  it('maps the kernel levels 1, 2 and 4', () => {
    expect(parseVmPressureLevel(macosFixture('sysctl-vm-pressure-normal.txt'))).toEqual({ memory_pressure: 'normal' });
    expect(parseVmPressureLevel(macosFixture('sysctl-vm-pressure-warn.txt'))).toEqual({ memory_pressure: 'warn' });
    expect(parseVmPressureLevel(macosFixture('sysctl-vm-pressure-critical.txt'))).toEqual({ memory_pressure: 'critical' });
  });

  it('is unknown for any other value', () => {
    expect(parseVmPressureLevel('0\n')).toEqual({});
    expect(parseVmPressureLevel('sysctl: unknown oid')).toEqual({});
  });
});
