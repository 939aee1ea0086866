import type { AgentRecord } from '@iir/contracts';
import { AgentsView } from './agents-view';
import { agentScore, chooseAgents, pauseReason, rulesFor, type AgentRules } from './agent-rules';

function agent(agentId: string, extra: Partial<AgentRecord> = {}): AgentRecord {
  return {
    agentId, models: ['local/llama'], hardware: {}, maxConcurrency: 4, version: '1', queueLength: 0, inFlight: 0,
    loadedModels: [], state: {}, registeredAt: '2026-01-01T00:00:00Z', lastHeartbeatAt: '2026-01-01T00:00:00Z',
    freshness: 'fresh', ...extra,
  };
}

const all: AgentRules = {
  pauseOnBatteryBelow: 30,
  pauseWhenOwnerActiveWithinS: 120,
  ownerActiveMinPriority: 5,
  pauseOnThermal: 'serious',
  pauseOnMemoryPressure: 'critical',
  pauseWhenCameraOrMicInUse: true,
  pauseOnLowPowerMode: true,
};
const why = (state: AgentRecord['state'], rules: AgentRules = all, priority = 0): string | undefined => pauseReason({ state }, rules, priority);

describe(pauseReason.name, () => {
  it('pauses on battery below the threshold, only when on battery', () => {
    expect(why({ power_source: 'battery', battery_percent: 18 })).toBe('on battery 18% < 30%');
    expect(why({ power_source: 'battery', battery_percent: 30 })).toBeUndefined();
    expect(why({ power_source: 'ac', battery_percent: 5 })).toBeUndefined();
  });

  it('pauses at the thermal level or worse', () => {
    expect(why({ thermal: 'serious' })).toBe('thermal serious');
    expect(why({ thermal: 'critical' })).toBe('thermal critical');
    expect(why({ thermal: 'fair' })).toBeUndefined();
  });

  it('pauses at the memory pressure or worse', () => {
    expect(why({ memory_pressure: 'critical' })).toBe('memory pressure critical');
    expect(why({ memory_pressure: 'warn' })).toBeUndefined();
    expect(why({ memory_pressure: 'warn' }, { pauseOnMemoryPressure: 'warn' })).toBe('memory pressure warn');
  });

  it('pauses while the camera or the microphone is in use, and in low power mode', () => {
    expect(why({ camera_in_use: true })).toBe('camera or microphone in use');
    expect(why({ microphone_in_use: true })).toBe('camera or microphone in use');
    expect(why({ camera_in_use: false, microphone_in_use: false })).toBeUndefined();
    expect(why({ low_power_mode: true })).toBe('low power mode');
    expect(why({ low_power_mode: true }, { pauseOnLowPowerMode: false })).toBeUndefined();
  });

  it('pauses while the owner is active, unless the priority reaches owner_active_min_priority', () => {
    expect(why({ owner_idle_s: 12 })).toBe('owner active 12 s ago (within 120 s)');
    expect(why({ owner_idle_s: 12 }, all, 5)).toBeUndefined();
    expect(why({ owner_idle_s: 12 }, all, 4)).toBe('owner active 12 s ago (within 120 s)');
    expect(why({ owner_idle_s: 600 })).toBeUndefined();
  });

  it('unknown or missing state never pauses', () => {
    expect(
      why({
        power_source: 'unknown', battery_percent: 'unknown', low_power_mode: 'unknown', thermal: 'unknown',
        memory_pressure: 'unknown', owner_idle_s: 'unknown', camera_in_use: 'unknown', microphone_in_use: 'unknown',
      }),
    ).toBeUndefined();
    expect(why({ power_source: 'battery', battery_percent: 'unknown' })).toBeUndefined();
    expect(why({})).toBeUndefined();
  });

  it('no rules, no pause', () => {
    expect(why({ power_source: 'battery', battery_percent: 1, thermal: 'critical', camera_in_use: true, owner_idle_s: 0 }, {})).toBeUndefined();
  });

  it('a per-agent override replaces only the keys it sets', () => {
    const config = { defaults: { pauseOnBatteryBelow: 30, pauseOnThermal: 'serious' as const }, overrides: { laptop: { pauseOnBatteryBelow: 50 } } };
    expect(rulesFor(config, 'laptop')).toEqual({ pauseOnBatteryBelow: 50, pauseOnThermal: 'serious' });
    expect(rulesFor(config, 'studio')).toEqual(config.defaults);
  });
});

describe(agentScore.name, () => {
  const m = 'local/llama';

  it('prefers the loaded model, free slots, mains power, a cool machine and an idle owner', () => {
    const base = agentScore(agent('a', { loadedModels: [m] }), m);
    expect(agentScore(agent('a'), m)).toBeGreaterThan(base);
    expect(agentScore(agent('a', { loadedModels: [m], inFlight: 2 }), m)).toBeGreaterThan(base);
    expect(agentScore(agent('a', { loadedModels: [m], state: { power_source: 'battery' } }), m)).toBeGreaterThan(base);
    expect(agentScore(agent('a', { loadedModels: [m], state: { thermal: 'fair' } }), m)).toBeGreaterThan(base);
    expect(agentScore(agent('a', { loadedModels: [m], state: { owner_idle_s: 10 } }), m)).toBeGreaterThan(base);
    expect(agentScore(agent('a', { loadedModels: [m], state: { thermal: 'unknown', owner_idle_s: 'unknown' } }), m)).toBe(base);
  });

  it('a longer queue always loses, whatever else', () => {
    const worst = agent('w', { queueLength: 0, inFlight: 4, state: { power_source: 'battery', thermal: 'critical', owner_idle_s: 1 } });
    const best = agent('b', { queueLength: 1, loadedModels: [m] });
    expect(agentScore(worst, m)).toBeLessThan(agentScore(best, m));
  });

  it('orders unpaused agents by score, ties by id, and lists the paused ones', () => {
    const choice = chooseAgents(
      [agent('c'), agent('b'), agent('loaded', { loadedModels: [m] }), agent('hot', { state: { thermal: 'critical' } })],
      { defaults: { pauseOnThermal: 'serious' }, overrides: {} },
      m,
    );
    expect(choice.agents.map((a) => a.agentId)).toEqual(['loaded', 'b', 'c']);
    expect(choice.skipped).toEqual([{ agentId: 'hot', reason: 'thermal critical' }]);
  });
  it('the status view shows each agent with its state and why it is paused', () => {
    const view = new AgentsView(1, [agent('hot', { state: { thermal: 'critical' } }), agent('cool', { state: { thermal: 'nominal' } })]);
    const rows = view.view({ defaults: { pauseOnThermal: 'serious' }, overrides: {} });
    expect(rows.map((r) => [r.agentId, r.state, r.pausedBecause])).toEqual([
      ['hot', { thermal: 'critical' }, 'thermal critical'],
      ['cool', { thermal: 'nominal' }, null],
    ]);
  });
});
