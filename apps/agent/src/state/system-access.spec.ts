import { execFileRunner } from './system-access';

describe('execFileRunner', () => {
  it('resolves a program’s stdout, arguments passed without a shell', async () => {
    await expect(execFileRunner(process.execPath, ['-e', 'process.stdout.write(process.argv[1])', '$HOME; echo hi'], 5_000)).resolves.toBe(
      '$HOME; echo hi',
    );
  });

  it('rejects a missing program and a non-zero exit', async () => {
    await expect(execFileRunner('iir-no-such-program', [], 5_000)).rejects.toThrow();
    await expect(execFileRunner(process.execPath, ['-e', 'process.exit(3)'], 5_000)).rejects.toThrow();
  });

  it('kills a program that outlives its timeout', async () => {
    await expect(execFileRunner(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], 200)).rejects.toThrow();
  }, 20_000);
});
