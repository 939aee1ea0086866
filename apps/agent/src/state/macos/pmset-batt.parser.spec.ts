import { macosFixture } from '../fixtures/read-fixture';
import { parsePmsetBatt } from './pmset-batt.parser';

describe(parsePmsetBatt.name, () => {
  it('reads battery power and the percentage of a discharging laptop', () => {
    expect(parsePmsetBatt(macosFixture('pmset-batt-battery.txt'))).toEqual({ power_source: 'battery', battery_percent: 18 });
  });

  it('reads AC power and the percentage of a charging laptop', () => {
    expect(parsePmsetBatt(macosFixture('pmset-batt-ac.txt'))).toEqual({ power_source: 'ac', battery_percent: 87 });
  });

  it('leaves the battery unknown on a desktop Mac, which prints no battery line', () => {
    expect(parsePmsetBatt(macosFixture('pmset-batt-desktop.txt'))).toEqual({ power_source: 'ac' });
  });

  it('tells nothing from a UPS source or unrecognisable output', () => {
    expect(parsePmsetBatt("Now drawing from 'UPS Power'\n")).toEqual({});
    expect(parsePmsetBatt('pmset: command not found')).toEqual({});
  });
});
