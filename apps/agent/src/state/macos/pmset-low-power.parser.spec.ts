import { macosFixture } from '../fixtures/read-fixture';
import { parsePmsetLowPower } from './pmset-low-power.parser';

describe(parsePmsetLowPower.name, () => {
  it('reads lowpowermode 1 as on', () => {
    expect(parsePmsetLowPower(macosFixture('pmset-g-lowpower-on.txt'))).toEqual({ low_power_mode: true });
  });

  it('reads lowpowermode 0 as off', () => {
    expect(parsePmsetLowPower(macosFixture('pmset-g-lowpower-off.txt'))).toEqual({ low_power_mode: false });
  });

  it('reads the newer powermode 1 as on and 0 or 2 as off', () => {
    expect(parsePmsetLowPower(macosFixture('pmset-g-powermode-low.txt'))).toEqual({ low_power_mode: true });
    expect(parsePmsetLowPower(' powermode            2\n')).toEqual({ low_power_mode: false });
    expect(parsePmsetLowPower(' powermode            0\n')).toEqual({ low_power_mode: false });
  });

  it('does not assume off when neither setting is printed', () => {
    expect(parsePmsetLowPower(' standby              1\n sleep                1\n')).toEqual({});
  });
});
