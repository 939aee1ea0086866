import { ApiError } from '../errors/api-error';
import { heartbeatFromHttp, registrationFromHttp } from './agent-http';

describe('agent HTTP bodies', () => {
  it('accepts snake_case registrations, hardware included, and leaves camelCase as it is', () => {
    const snake = registrationFromHttp({ agent_id: 'a1', models: ['local/x'], hardware: { memory_gb: 16, cores: 8 }, max_concurrency: 2, version: '1' });
    const camel = registrationFromHttp({ agentId: 'a1', models: ['local/x'], hardware: { memoryGb: 16, cores: 8 }, maxConcurrency: 2, version: '1' });
    expect(snake).toEqual({ agentId: 'a1', models: ['local/x'], hardware: { memoryGb: 16, cores: 8 }, maxConcurrency: 2, version: '1' });
    expect(camel).toEqual(snake);
  });

  it('prefers the camelCase field when both spellings are sent, and never rewrites state keys', () => {
    expect(heartbeatFromHttp({ queue_length: 1, queueLength: 2, agent_id: 'a1', state: { thermal_state: 'nominal' } })).toEqual({
      queueLength: 2,
      agentId: 'a1',
      state: { thermal_state: 'nominal' },
    });
  });

  it('refuses a body that is not a JSON object', () => {
    expect(() => heartbeatFromHttp([1])).toThrow(ApiError);
    expect(() => registrationFromHttp(null)).toThrow(ApiError);
  });
});
