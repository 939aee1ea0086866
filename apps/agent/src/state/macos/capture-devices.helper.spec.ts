import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { parseCaptureLine } from '../capture-line.parser';
import { CAPTURE_HELPER_JXA, captureHelperCommand } from './capture-devices.helper';

/**
 * The helper's script, run in a VM against a stand-in of JXA's Objective-C bridge shaped as
 * Apple's documentation describes it (`$.AVCaptureDevice.devicesWithMediaType`, NSArray's `count`
 * and `objectAtIndex`, `isInUseByAnotherApplication`, NSFileHandle's `writeData`). What a Mac prints
 * is not proven here (CI has none); what the script asks and what it prints is.
 */
function runHelper(
  devices: Record<string, Array<{ isInUseByAnotherApplication: boolean }> | 'throws'>,
  { looks = 2, seconds = 5, runLoop = true }: { looks?: number; seconds?: number; runLoop?: boolean } = {},
): { lines: string[]; asked: string[]; waits: number[] } {
  const lines: string[] = [];
  const asked: string[] = [];
  const waits: number[] = [];
  const dollar = Object.assign((text: string) => ({ dataUsingEncoding: () => text }), {
    AVCaptureDevice: {
      devicesWithMediaType: (type: string) => {
        asked.push(type);
        const list = devices[type];
        if (list === 'throws') throw new Error('AVFoundation refused');
        const items = list ?? [];
        return { count: items.length, objectAtIndex: (i: number) => items[i] };
      },
    },
    NSFileHandle: { fileHandleWithStandardOutput: { writeData: (data: string) => lines.push(data) } },
    NSUTF8StringEncoding: 4,
    ...(runLoop
      ? {
          NSDate: { dateWithTimeIntervalSinceNow: (s: number) => ({ s }) },
          NSRunLoop: { currentRunLoop: { runUntilDate: (date: { s: number }) => waits.push(date.s) } },
        }
      : {}),
  });
  // Without a run loop in the stand-in, the script's fallback is JXA's delay(); with one, delay() must not be used.
  const delay = runLoop ? () => assert.fail('delay() although the run loop could be run') : (s: number) => waits.push(s);
  const context = { ObjC: { import: () => undefined }, $: dollar, delay };
  runInNewContext(CAPTURE_HELPER_JXA, context);
  // run() returns after its number of looks: osascript then exits with 0.
  runInNewContext('run(argv)', { ...context, argv: [String(seconds), String(looks)] }, { filename: 'helper' });
  return { lines, asked, waits };
}

describe('the macOS camera/microphone helper script', () => {
  it('prints one JSON line per look: in use when any device of the kind is in use by another application', () => {
    const { lines, asked, waits } = runHelper({
      vide: [{ isInUseByAnotherApplication: false }, { isInUseByAnotherApplication: true }],
      soun: [{ isInUseByAnotherApplication: false }],
    });
    expect(lines).toEqual(['{"camera":true,"microphone":false}\n', '{"camera":true,"microphone":false}\n']);
    expect(asked).toEqual(['vide', 'soun', 'vide', 'soun']);
    // Between looks it runs the run loop for the interval.
    expect(waits).toEqual([5, 5]);
    expect(parseCaptureLine(lines[0]?.trim() as string)).toEqual({ camera_in_use: true, microphone_in_use: false });
  });

  it('says false for a Mac with no camera, and unknown for a kind AVFoundation will not list', () => {
    const { lines } = runHelper({ soun: 'throws' }, { looks: 1 });
    expect(lines).toEqual(['{"camera":false,"microphone":"unknown"}\n']);
    expect(parseCaptureLine(lines[0]?.trim() as string)).toEqual({ camera_in_use: false });
  });

  it('waits with delay() where the run loop cannot be run, and ends by itself after its number of looks', () => {
    const { lines, waits } = runHelper({ vide: [], soun: [] }, { runLoop: false, looks: 3, seconds: 2 });
    expect(waits).toEqual([2, 2, 2]);
    expect(lines).toHaveLength(3);
  });

  it('is started as osascript -l JavaScript with the interval in whole seconds and an hour of looks', () => {
    const { command, args } = captureHelperCommand(5_000);
    expect(command).toBe('osascript');
    expect(args.slice(0, 3)).toEqual(['-l', 'JavaScript', '-e']);
    expect(args.slice(-2)).toEqual(['5', '720']);
    expect(captureHelperCommand(200).args.slice(-2)).toEqual(['1', '3600']);
  });
});

describe(parseCaptureLine.name, () => {
  it('reads the fields it knows and leaves the rest unknown', () => {
    expect(parseCaptureLine('{"camera":false,"microphone":true}')).toEqual({ camera_in_use: false, microphone_in_use: true });
    expect(parseCaptureLine('{"camera":"unknown","microphone":"unknown"}')).toEqual({});
  });

  it('tells nothing from a line that is not a reading', () => {
    for (const line of ['', 'osascript: error', '[]', 'null', '{"camera":1}', '{"other":true}', '{"camera":"yes"}']) expect(parseCaptureLine(line)).toBeUndefined();
  });
});
