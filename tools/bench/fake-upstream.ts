/**
 * The benchmark's upstream: the tests' FakeOpenAIServer in instant mode (answers from precomputed
 * buffers, so the benchmark measures the gateway, not the fake). Prints `{"port": N}` when ready.
 */
import { FakeOpenAIServer } from '../../libs/testing/src/fake-upstream/fake-openai.server';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  // 18 words: a stream of 20 chunks (role, 18 words, finish), as the hot-path targets are set for
  const instantText = 'Hello! This is the fake upstream, answering at once with eighteen words so a stream has twenty chunks.';
  const server = await new FakeOpenAIServer({ instant: true, port, instantText }).start();
  process.stdout.write(JSON.stringify({ port: server.port }) + '\n');
  process.once('SIGTERM', () => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
