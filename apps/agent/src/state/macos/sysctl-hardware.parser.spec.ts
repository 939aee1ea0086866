import { macosFixture } from '../fixtures/read-fixture';
import { parseSysctlHardware } from './sysctl-hardware.parser';

describe(parseSysctlHardware.name, () => {
  it('reads chip, cores and unified memory of an Apple silicon Mac', () => {
    expect(parseSysctlHardware(macosFixture('sysctl-hardware-m2pro.txt'))).toEqual({ chip: 'Apple M2 Pro', cores: 12, memoryGb: 32 });
  });

  it('reads an Intel brand string', () => {
    expect(parseSysctlHardware(macosFixture('sysctl-hardware-intel.txt'))).toEqual({
      chip: 'Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz',
      cores: 12,
      memoryGb: 16,
    });
  });

  it('leaves out lines that do not parse', () => {
    expect(parseSysctlHardware('Apple M1\nmany\n')).toEqual({ chip: 'Apple M1' });
  });
});
