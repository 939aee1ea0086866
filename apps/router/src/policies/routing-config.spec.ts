import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRoutingConfig } from './routing-config';

describe(parseRoutingConfig.name, () => {
  it('reads every policy, with soft-offload defaults, exact names before globs', () => {
    const p = parseRoutingConfig(`
policies:
  - { model: 'local/*', policy: least-loaded }
  - { model: local/llama, policy: soft-offload, offload_to: [openai/gpt-4o] }
  - { model: big/*, policy: hard-offload, offload_to: [openai/gpt-4o] }
`);
    expect(p.for('LOCAL/llama')).toEqual({ model: 'local/llama', policy: 'soft-offload', offloadTo: ['openai/gpt-4o'], queueThreshold: 4 });
    expect(p.for('local/qwen')?.policy).toBe('least-loaded');
    expect(p.for('openai/gpt-4o')).toBeUndefined();
  });

  it('names the offending field', () => {
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: weighted, targets: [{ model: b, weight: -1 }] }')).toThrow(
      /policies\[0\]\.targets\[0\]\.weight/,
    );
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: fastest }')).toThrow(/policies\[0\]\.policy/);
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: hard-offload }')).toThrow(/policies\[0\]\.offload_to/);
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: least-loaded, weight: 3 }')).toThrow(/weight/);
    expect(() => parseRoutingConfig('policies: [')).toThrow(/not valid YAML/);
  });

  it('an empty file means no policies', () => {
    expect(parseRoutingConfig('').list).toEqual([]);
  });

  it('reads the agents section with per-agent overrides; absent means no rules', () => {
    const p = parseRoutingConfig(`
agents:
  pause_on_battery_below: 20
  pause_on_thermal: serious
  pause_when_owner_active_within_s: 120
  owner_active_min_priority: 5
  overrides:
    mac-mini: { pause_on_battery_below: 50, pause_when_camera_or_mic_in_use: true }
`);
    expect(p.agentRules).toEqual({
      defaults: { pauseOnBatteryBelow: 20, pauseOnThermal: 'serious', pauseWhenOwnerActiveWithinS: 120, ownerActiveMinPriority: 5 },
      overrides: { 'mac-mini': { pauseOnBatteryBelow: 50, pauseWhenCameraOrMicInUse: true } },
    });
    expect(parseRoutingConfig('').agentRules).toEqual({ defaults: {}, overrides: {} });
  });

  it('names the bad key of the agents section', () => {
    expect(() => parseRoutingConfig('agents: { pause_on_thermal: hot }')).toThrow(/agents\.pause_on_thermal/);
    expect(() => parseRoutingConfig('agents: { pause_on_battery_below: 120 }')).toThrow(/agents\.pause_on_battery_below/);
    expect(() => parseRoutingConfig('agents: { pause_on_memory_pressure: high }')).toThrow(/agents\.pause_on_memory_pressure/);
    expect(() => parseRoutingConfig('agents: { pause_when_camera_or_mic_in_use: yes please }')).toThrow(/agents\.pause_when_camera_or_mic_in_use/);
    expect(() => parseRoutingConfig('agents: { pause_on_batery_below: 20 }')).toThrow(/pause_on_batery_below/);
    expect(() => parseRoutingConfig('agents: { overrides: { m1: { pause_on_thermal: warm } } }')).toThrow(/agents\.overrides\.m1\.pause_on_thermal/);
  });

  it('the shipped config/routing.yaml enables the documented agent rules', () => {
    const shipped = parseRoutingConfig(readFileSync(join(__dirname, '../../../../config/routing.yaml'), 'utf8'));
    expect(shipped.agentRules.defaults).toEqual({
      pauseOnBatteryBelow: 20, pauseOnThermal: 'serious', pauseOnMemoryPressure: 'critical', pauseWhenCameraOrMicInUse: true, pauseOnLowPowerMode: false,
    });
  });
});
