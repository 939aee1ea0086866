import { scrapeMetrics } from '@iir/testing';
import { RegistryHarness, seedEntry, seedFile } from './registry-harness';

describe('registry metrics over NATS', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await new RegistryHarness().setUp();
    await h.writeSeed(seedFile(seedEntry({ name: 'local/one' }), seedEntry({ name: 'local/off', enabled: false })));
    await h.start();
  });
  afterAll(() => h.tearDown());

  it('counts and times list and get requests by outcome, and reports the models and changes on /metrics', async () => {
    const port = h.service?.port ?? 0;
    const before = await scrapeMetrics(port);
    await h.client.listModels();
    await h.client.listModels({ includeDisabled: true });
    await h.client.getModel('local/one');
    await h.client.getModel('nobody/nothing').catch(() => undefined);
    const after = await scrapeMetrics(port);
    const moved = (name: string, labels: Record<string, string>): number => after.value(name, labels) - before.value(name, labels);

    expect(moved('iir_registry_requests_total', { operation: 'list', outcome: 'ok' })).toBe(2);
    expect(moved('iir_registry_requests_total', { operation: 'get', outcome: 'ok' })).toBe(1);
    expect(moved('iir_registry_requests_total', { operation: 'get', outcome: 'model_not_found' })).toBe(1);
    expect(moved('iir_registry_request_duration_seconds_count', { operation: 'list' })).toBe(2);
    expect(after.value('iir_registry_models', { enabled: 'true' })).toBe(1);
    expect(after.value('iir_registry_models', { enabled: 'false' })).toBe(1);
    expect(after.value('iir_registry_changes_total')).toBeGreaterThanOrEqual(1);
  });
});
