import { macosFixture } from '../fixtures/read-fixture';
import { parseHidIdle } from './hid-idle.parser';

describe(parseHidIdle.name, () => {
  it('turns HIDIdleTime nanoseconds into whole seconds', () => {
    expect(parseHidIdle(macosFixture('ioreg-hidsystem.txt'))).toEqual({ owner_idle_s: 1 });
    expect(parseHidIdle('"HIDIdleTime" = 604800123456789\n')).toEqual({ owner_idle_s: 604800 });
  });

  it('is unknown when the key is missing', () => {
    expect(parseHidIdle('+-o IOHIDSystem  <class IOHIDSystem>\n')).toEqual({});
  });
});
