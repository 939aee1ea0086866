import type { AttemptReportedEvent, Target } from '@iir/contracts';
import { TargetHealth } from './target-health';

const t = (model: string): Target => ({ model, provider: 'p', kind: 'hosted', protocol: 'openai', baseUrl: `http://${model}`, upstreamModel: model });
const report = (model: string, outcome: AttemptReportedEvent['outcome'], extra: Partial<AttemptReportedEvent> = {}): AttemptReportedEvent => ({
  model, provider: 'p', baseUrl: `http://${model}`, outcome, latencyMs: 5, ...extra,
});

describe(TargetHealth.name, () => {
  let now = 1_000;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('opens after N consecutive failures, plans around the target, then lets one probe through after the cooldown', () => {
    const h = new TargetHealth({ failures: 3, cooldownMs: 200 }, clock);
    h.record(report('a', 'error'));
    h.record(report('a', 'timeout'));
    expect(h.state(t('a'))).toBe('closed');
    h.record(report('a', 'error'));
    expect(h.state(t('a'))).toBe('open');
    expect(h.arrange([t('a'), t('b')]).targets.map((x) => x.model)).toEqual(['b', 'a']);
    now += 201;
    expect(h.state(t('a'))).toBe('half-open');
    expect(h.arrange([t('a'), t('b')]).targets.map((x) => x.model)).toEqual(['a', 'b']); // the probe
    expect(h.arrange([t('a'), t('b')]).targets.map((x) => x.model)).toEqual(['b', 'a']); // one probe at a time
    h.record(report('a', 'ok'));
    expect(h.state(t('a'))).toBe('closed');
    expect(h.arrange([t('a'), t('b')])).toMatchObject({ unsettled: false, demoted: [] });
  });

  it('a failed probe re-opens the circuit for another cooldown', () => {
    const h = new TargetHealth({ failures: 1, cooldownMs: 200 }, clock);
    h.record(report('a', 'error'));
    now += 250;
    h.arrange([t('a')]);
    h.record(report('a', 'error'));
    expect(h.state(t('a'))).toBe('open');
    expect(h.view()[0]).toMatchObject({ state: 'open', consecutiveFailures: 2, cooldownUntil: new Date(now + 200).toISOString() });
  });

  it('one 429 opens at once, for its Retry-After when given', () => {
    const h = new TargetHealth({ failures: 3, cooldownMs: 200 }, clock);
    h.record(report('a', 'rate_limited', { status: 429, retryAfterMs: 5_000 }));
    now += 1_000;
    expect(h.state(t('a'))).toBe('open');
    now += 4_001;
    expect(h.state(t('a'))).toBe('half-open');
  });

  it('a success in between resets the count; a client error (400) is not the target’s failure', () => {
    const h = new TargetHealth({ failures: 2, cooldownMs: 200 }, clock);
    h.record(report('a', 'error'));
    h.record(report('a', 'error', { status: 400 }));
    h.record(report('a', 'error'));
    expect(h.state(t('a'))).toBe('closed');
  });

  it('lets another probe through when the first never reported back', () => {
    const h = new TargetHealth({ failures: 1, cooldownMs: 200 }, clock);
    h.record(report('a', 'error'));
    now += 201;
    expect(h.arrange([t('a'), t('b')]).targets[0]?.model).toBe('a');
    now += 201;
    expect(h.arrange([t('a'), t('b')]).targets[0]?.model).toBe('a');
  });
});
