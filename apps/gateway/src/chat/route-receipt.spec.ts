import { asciiHeader, routeHeaders } from './route-receipt';

describe(asciiHeader.name, () => {
  it('spells arrows and signs out, drops accents and keeps plain ASCII as it is', () => {
    expect(asciiHeader('auto: code (0.91) → tier local')).toBe('auto: code (0.91) -> tier local');
    expect(asciiHeader('battery 18% < 30%, temp ≥ serious — skipped café')).toBe('battery 18% < 30%, temp >= serious - skipped cafe');
    expect(asciiHeader('plain reason')).toBe('plain reason');
    expect(asciiHeader('emoji 🚀 line\nbreak')).toBe('emoji ? line break');
  });

  it('is what the receipt carries', () => {
    const plan = { model: 'm', targets: [], policy: 'auto', reason: 'auto: chat → tier local' };
    const target = { model: 'local/x', provider: 'local', kind: 'agent' as const, protocol: 'agent' as const, baseUrl: 'agent://a', upstreamModel: 'x' };
    expect(routeHeaders(plan, target, 1)['x-iir-route-reason']).toBe('auto: chat -> tier local');
  });
});
