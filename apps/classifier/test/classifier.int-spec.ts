import { BusError, ClassifierClient, SUBJECTS } from '@iir/contracts';
import { ConfigError, NatsBus, startService, type RunningService } from '@iir/platform';
import { requireService, TEST_NATS_URL, uniquePrefix } from '@iir/testing';
import { classifierService } from '../src/classifier.service-definition';

describe('classifier over real NATS', () => {
  let bus: NatsBus;
  let classifier: RunningService;
  let client: ClassifierClient;

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    const prefix = uniquePrefix('cl');
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    classifier = await startService(classifierService, {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      CLASSIFIER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    });
    client = new ClassifierClient(bus);
  });

  afterAll(async () => {
    await classifier?.close();
    await bus?.drain();
  });

  it('classifies the last user message of a chat conversation sent by the typed client', async () => {
    const result = await client.classifyChat([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'write a bash script that backs up my home folder every night' },
    ]);
    expect(result).toMatchObject({ label: 'code', complexity: 'simple' });
    expect(result.confidence).toBeGreaterThan(0.5);
  });

  it('takes a huge message without rejecting it', async () => {
    const text = `Summarize this report:\n\n${'Revenue grew in every region while costs stayed flat. '.repeat(4_000)}`;
    const result = await client.classifyChat([{ role: 'user', content: text }]);
    expect(result).toMatchObject({ label: 'summarization', complexity: 'complex' });
  });

  it('answers a malformed request with a typed invalid_request_error', async () => {
    const error = await bus.request(SUBJECTS.classifier.classify, { messages: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ code: 'invalid_request_error' });
  });

  it('refuses to start with a model path that does not exist, naming the variable', async () => {
    const error = await startService(classifierService, { CLASSIFIER_MODEL_PATH: '/nope/model.json', CLASSIFIER_PORT: '0', LOG_LEVEL: 'error' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('CLASSIFIER_MODEL_PATH');
  });
});
