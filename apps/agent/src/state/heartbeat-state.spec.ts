import { toHeartbeatState } from './heartbeat-state';
import { UNKNOWN_STATE } from './machine-state';

describe(toHeartbeatState.name, () => {
  it('sends every field flat, as a copy', () => {
    const state = { ...UNKNOWN_STATE, power_source: 'battery' as const, battery_percent: 42, low_power_mode: false };
    const beat = toHeartbeatState(state);
    expect(beat).toEqual({ ...state });
    expect(Object.values(beat).every((value) => ['string', 'number', 'boolean'].includes(typeof value))).toBe(true);
    state.battery_percent = 1;
    expect(beat['battery_percent']).toBe(42);
  });
});
