/**
 * The macOS camera and microphone helper: a JavaScript for Automation script that `osascript` (on
 * every Mac) runs for as long as the agent does, asking AVFoundation every few seconds whether any
 * capture device is in use by another application (`AVCaptureDevice.isInUseByAnotherApplication`,
 * public API: the property the system's own indicators rest on). It prints one JSON line per look
 * on stdout — `{"camera":false,"microphone":true}`, a field `"unknown"` when AVFoundation would not
 * say — and nothing else. It enumerates devices and never opens one, so it records nothing and
 * should need no camera or microphone permission (macOS asks for one to capture, not to list).
 *
 * One long-lived process rather than a command per heartbeat: loading AVFoundation costs a few
 * hundred milliseconds of CPU, a look afterwards next to nothing. Between looks it runs the thread's
 * run loop (so AVFoundation's device notifications are delivered) rather than sleeping blind, and
 * falls back to `delay()` where that fails; after an hour of looks it exits with 0 and the agent starts it
 * afresh, which bounds whatever a long-lived process might gather. When the agent goes away its
 * next line meets a closed pipe and it ends (SIGPIPE); the agent also stops it on shutdown.
 *
 * Written from Apple's documented API (AVCaptureDevice, NSFileHandle, JXA's ObjC bridge); this
 * repository's CI has no Mac, so the script itself runs only on Macs — its output format, the
 * watcher that runs it, restarts it and ages its readings are tested here with a stand-in helper.
 */
export const CAPTURE_HELPER_JXA = `
ObjC.import('AVFoundation');
ObjC.import('Foundation');
function inUse(mediaType) {
  try {
    var devices = $.AVCaptureDevice.devicesWithMediaType(mediaType);
    for (var i = 0; i < devices.count; i++) {
      if (devices.objectAtIndex(i).isInUseByAnotherApplication) return true;
    }
    return false;
  } catch (e) {
    return 'unknown';
  }
}
function wait(seconds) {
  try {
    $.NSRunLoop.currentRunLoop.runUntilDate($.NSDate.dateWithTimeIntervalSinceNow(seconds));
  } catch (e) {
    delay(seconds);
  }
}
function run(argv) {
  var seconds = Math.max(1, Number(argv[0]) || 5);
  var looks = Math.max(1, Number(argv[1]) || 720);
  var out = $.NSFileHandle.fileHandleWithStandardOutput;
  for (var n = 0; n < looks; n++) {
    var line = JSON.stringify({ camera: inUse('vide'), microphone: inUse('soun') }) + '\\n';
    out.writeData($(line).dataUsingEncoding($.NSUTF8StringEncoding));
    wait(seconds);
  }
}
`;

/** How the agent starts it: `osascript -l JavaScript -e <script> <seconds> <looks>` (an hour of looks). */
export function captureHelperCommand(intervalMs: number): { command: string; args: string[] } {
  const seconds = Math.max(1, Math.round(intervalMs / 1000));
  return { command: 'osascript', args: ['-l', 'JavaScript', '-e', CAPTURE_HELPER_JXA, String(seconds), String(Math.ceil(3600 / seconds))] };
}
