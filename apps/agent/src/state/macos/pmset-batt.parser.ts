import type { PartialState } from '../machine-state';

/**
 * `pmset -g batt`: the first line names the source (`Now drawing from 'AC Power'` or
 * `'Battery Power'`); a laptop adds ` -InternalBattery-0 (id=…)\t87%; charging; …`. A desktop Mac
 * prints only the first line, so its battery is `unknown` (there is none), not 0. A UPS shows as
 * `'UPS Power'`: neither AC nor battery in our sense, so the source stays `unknown`.
 */
export function parsePmsetBatt(output: string): PartialState {
  const state: PartialState = {};
  const source = /Now drawing from '([^']+)'/.exec(output)?.[1];
  if (source === 'AC Power') state.power_source = 'ac';
  if (source === 'Battery Power') state.power_source = 'battery';

  const battery = /-InternalBattery-\d+[^\n]*?\s(\d{1,3})%/.exec(output)?.[1];
  const percent = battery === undefined ? undefined : Number(battery);
  if (percent !== undefined && percent >= 0 && percent <= 100) state.battery_percent = percent;
  return state;
}
