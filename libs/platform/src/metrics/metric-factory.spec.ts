import { register } from 'prom-client';
import { counter, gauge, histogram, zeroSeries } from './metric-factory';

describe('metric factory', () => {
  it('hands every caller in the process the same metric, so two services can share one registry', async () => {
    const a = counter({ name: 'test_factory_shared_total', help: 'h', labelNames: ['x'] });
    const b = counter({ name: 'test_factory_shared_total', help: 'h', labelNames: ['x'] });
    expect(b).toBe(a);
    a.inc({ x: '1' });
    b.inc({ x: '1' });
    expect((await register.getSingleMetricAsString('test_factory_shared_total')).split('\n')).toContain('test_factory_shared_total{x="1"} 2');
  });

  it('refuses a name already registered with another type or other labels', () => {
    counter({ name: 'test_factory_typed_total', help: 'h' });
    expect(() => gauge({ name: 'test_factory_typed_total', help: 'h' })).toThrow(/already registered/);
    expect(() => counter({ name: 'test_factory_typed_total', help: 'h', labelNames: ['y'] })).toThrow(/already registered/);
    histogram({ name: 'test_factory_seconds', help: 'h', buckets: [1] });
    expect(() => histogram({ name: 'test_factory_seconds', help: 'h', labelNames: ['z'], buckets: [1] })).toThrow(/already registered/);
  });

  it('shows every bounded series at 0 from the start, without resetting a value already counted', async () => {
    const g = gauge({ name: 'test_factory_state', help: 'h', labelNames: ['state'] });
    g.set({ state: 'fresh' }, 3);
    zeroSeries(g, [{ state: 'fresh' }, { state: 'stale' }]);
    const text = await register.getSingleMetricAsString('test_factory_state');
    expect(text).toContain('test_factory_state{state="fresh"} 3');
    expect(text).toContain('test_factory_state{state="stale"} 0');
  });
});
