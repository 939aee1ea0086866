import { parseNvidiaSmi } from './nvidia-smi.parser';

describe(parseNvidiaSmi.name, () => {
  it('reports the busiest GPU and the most free memory on one GPU', () => {
    expect(parseNvidiaSmi('12, 20480, 24576\n87, 1024, 16384\n')).toEqual({ gpu_util_percent: 87, gpu_memory_free_gb: 15 });
  });

  it('skips [N/A] fields and tells nothing from other output', () => {
    expect(parseNvidiaSmi('[N/A], 512, 8192\n')).toEqual({ gpu_memory_free_gb: 7.5 });
    expect(parseNvidiaSmi('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.\n')).toEqual({});
  });
});
