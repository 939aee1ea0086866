import { macosFixture } from '../fixtures/read-fixture';
import { parsePmsetTherm } from './pmset-therm.parser';

describe(parsePmsetTherm.name, () => {
  it('reads "no warning recorded" notes as nominal', () => {
    expect(parsePmsetTherm(macosFixture('pmset-therm-none.txt'))).toEqual({ thermal: 'nominal' });
  });

  it('reads a full CPU speed limit as nominal', () => {
    expect(parsePmsetTherm(macosFixture('pmset-therm-full-speed.txt'))).toEqual({ thermal: 'nominal' });
  });

  it('maps a 62% CPU speed limit to serious', () => {
    expect(parsePmsetTherm(macosFixture('pmset-therm-throttled.txt'))).toEqual({ thermal: 'serious' });
  });

  it('reports the worse of a danger warning (serious) and an 85% speed limit (fair)', () => {
    expect(parsePmsetTherm(macosFixture('pmset-therm-danger.txt'))).toEqual({ thermal: 'serious' });
  });

  it('maps a crisis warning level to critical', () => {
    expect(parsePmsetTherm(macosFixture('pmset-therm-crisis.txt'))).toEqual({ thermal: 'critical' });
  });

  it('maps speed limits onto fair and critical at the documented bounds', () => {
    expect(parsePmsetTherm('CPU_Speed_Limit \t= 80\n')).toEqual({ thermal: 'fair' });
    expect(parsePmsetTherm('CPU_Speed_Limit \t= 49\n')).toEqual({ thermal: 'critical' });
  });

  it('reads a non-zero performance warning alone as fair', () => {
    expect(parsePmsetTherm('2026-12-03 10:41:07 +0000 Performance Warning Level = 3\n')).toEqual({ thermal: 'fair' });
  });

  it('is unknown for an undocumented warning level, an error or empty output', () => {
    expect(parsePmsetTherm('2026-12-03 10:41:07 +0000 Thermal Warning Level = 7\n')).toEqual({});
    expect(parsePmsetTherm('Error: No thermal warning level with error code 0xe00002c7\n')).toEqual({});
    expect(parsePmsetTherm('')).toEqual({});
  });
});
