import { BusError } from './bus';
import { ERROR_CODES, isErrorCode } from './errors';

describe(BusError.name, () => {
  it('crosses the wire as {code, message, details} and comes back equal', () => {
    const original = new BusError('model_not_found', 'no such model', { suggestions: ['a/b'] });
    const back = BusError.from(JSON.parse(JSON.stringify(original)));
    expect(back).toBeInstanceOf(BusError);
    expect(back).toMatchObject({ code: 'model_not_found', message: 'no such model', details: { suggestions: ['a/b'] } });
  });

  it('turns anything else into an internal_error that keeps the message', () => {
    expect(BusError.from(new Error('boom'))).toMatchObject({ code: 'internal_error', message: 'boom' });
    expect(BusError.from('plain')).toMatchObject({ code: 'internal_error', message: 'plain' });
  });

  it('recognises exactly the declared error codes', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('made_up')).toBe(false);
  });
});
