import { macosFixture } from '../fixtures/read-fixture';
import { parseThermalPressure } from './thermal-pressure.parser';

describe(parseThermalPressure.name, () => {
  it('maps level 0 to nominal and 2 (heavy) to serious', () => {
    expect(parseThermalPressure(macosFixture('notifyutil-thermal-nominal.txt'))).toEqual({ thermal: 'nominal' });
    expect(parseThermalPressure(macosFixture('notifyutil-thermal-heavy.txt'))).toEqual({ thermal: 'serious' });
  });

  it('maps moderate to fair and trapping or sleeping to critical', () => {
    expect(parseThermalPressure('com.apple.system.thermalpressurelevel 1\n')).toEqual({ thermal: 'fair' });
    expect(parseThermalPressure('com.apple.system.thermalpressurelevel 3\n')).toEqual({ thermal: 'critical' });
    expect(parseThermalPressure('com.apple.system.thermalpressurelevel 4\n')).toEqual({ thermal: 'critical' });
  });

  it('is unknown for an unlisted level or other output', () => {
    expect(parseThermalPressure('com.apple.system.thermalpressurelevel 9\n')).toEqual({});
    expect(parseThermalPressure('')).toEqual({});
  });
});
