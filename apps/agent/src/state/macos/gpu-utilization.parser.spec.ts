import { macosFixture } from '../fixtures/read-fixture';
import { parseGpuUtilization } from './gpu-utilization.parser';

describe(parseGpuUtilization.name, () => {
  it('reads Device Utilization % from the accelerator statistics', () => {
    expect(parseGpuUtilization(macosFixture('ioreg-accelerator.txt'))).toEqual({ gpu_util_percent: 12 });
  });

  it('reports the busiest of several GPUs and nothing when none publishes it', () => {
    expect(parseGpuUtilization('"Device Utilization %"=3\n"Device Utilization %"=71\n')).toEqual({ gpu_util_percent: 71 });
    expect(parseGpuUtilization('')).toEqual({});
  });
});
