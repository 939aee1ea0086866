import { parseMeminfo } from './meminfo.parser';
import { parseMemoryPsi } from './memory-psi.parser';
import { parsePlatformProfile } from './platform-profile.parser';
import { parsePowerSupplies } from './power-supply.parser';
import { parseThermalZones } from './thermal-zone.parser';

describe(parsePowerSupplies.name, () => {
  it('is ac when a mains supply is online, with the battery percentage', () => {
    expect(
      parsePowerSupplies([
        { name: 'AC', type: 'Mains\n', online: '1\n' },
        { name: 'BAT0', type: 'Battery\n', capacity: '93\n', status: 'Charging\n' },
      ]),
    ).toEqual({ power_source: 'ac', battery_percent: 93 });
  });

  it('is battery when the supplies are offline', () => {
    expect(
      parsePowerSupplies([
        { name: 'ADP1', type: 'Mains', online: '0' },
        { name: 'ucsi-source-psy-USBC000:001', type: 'USB', online: '0' },
        { name: 'BAT0', type: 'Battery', capacity: '41', status: 'Discharging' },
      ]),
    ).toEqual({ power_source: 'battery', battery_percent: 41 });
  });

  it('ignores a wireless mouse battery (scope Device)', () => {
    expect(parsePowerSupplies([{ name: 'hidpp_battery_0', type: 'Battery', scope: 'Device', capacity: '5', status: 'Discharging' }])).toEqual({});
  });

  it('is unknown with no supplies at all (a desktop, a VM)', () => {
    expect(parsePowerSupplies([])).toEqual({});
  });
});

describe(parseThermalZones.name, () => {
  it('reports the hottest zone in °C and maps it', () => {
    expect(parseThermalZones(['45000\n', '61500\n'])).toEqual({ thermal_celsius: 61.5, thermal: 'nominal' });
  });

  it('maps the documented bounds: 70 fair, 85 serious, 95 critical', () => {
    expect(parseThermalZones(['70000'])).toMatchObject({ thermal: 'fair' });
    expect(parseThermalZones(['85000'])).toMatchObject({ thermal: 'serious' });
    expect(parseThermalZones(['95000'])).toMatchObject({ thermal: 'critical' });
  });

  it('drops sensors reporting "not available" and is unknown when none is left', () => {
    expect(parseThermalZones(['-273000', '0', 'garbage'])).toEqual({});
    expect(parseThermalZones([])).toEqual({});
  });
});

describe(parseMemoryPsi.name, () => {
  const psi = (avg10: string) => `some avg10=${avg10} avg60=1.00 avg300=0.50 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1234\n`;

  it('maps some avg10 below 10 to normal, below 40 to warn, else critical', () => {
    expect(parseMemoryPsi(psi('0.00'))).toEqual({ memory_pressure: 'normal' });
    expect(parseMemoryPsi(psi('12.50'))).toEqual({ memory_pressure: 'warn' });
    expect(parseMemoryPsi(psi('40.00'))).toEqual({ memory_pressure: 'critical' });
  });

  it('is unknown for anything else', () => {
    expect(parseMemoryPsi('')).toEqual({});
  });
});

describe(parseMeminfo.name, () => {
  it('reads MemAvailable and MemTotal in GB', () => {
    const text = 'MemTotal:       16303428 kB\nMemFree:         1021340 kB\nMemAvailable:    8151714 kB\n';
    expect(parseMeminfo(text)).toEqual({ memory_free_gb: 7.77, memory_total_gb: 15.55 });
  });
});

describe(parsePlatformProfile.name, () => {
  it('is on only for low-power', () => {
    expect(parsePlatformProfile('low-power\n')).toEqual({ low_power_mode: true });
    expect(parsePlatformProfile('balanced\n')).toEqual({ low_power_mode: false });
    expect(parsePlatformProfile('')).toEqual({});
  });
});
