import { assessComplexity, complexityPoints } from './complexity';
import { measure } from './signals';

const rate = (label: Parameters<typeof assessComplexity>[0], text: string) => assessComplexity(label, text, text.length, measure(text));

describe(assessComplexity.name, () => {
  it('rates short everyday asks simple', () => {
    expect(rate('chat', 'good morning!')).toBe('simple');
    expect(rate('code', 'reverse a string in python')).toBe('simple');
    expect(rate('math', 'what is 12 times 7')).toBe('simple');
    expect(rate('creative', 'write a haiku about cats')).toBe('simple');
    expect(rate('qa', 'who painted the mona lisa?')).toBe('simple');
  });

  it('rates proofs, constrained long-form writing and system design complex', () => {
    expect(rate('math', 'Prove that the square root of 2 is irrational.')).toBe('complex');
    expect(rate('creative', 'Write a 2000-word short story in three acts; it must end with a twist and must not use dialogue.')).toBe('complex');
    expect(rate('code', 'Design the architecture of a distributed rate limiter that is thread-safe and handles edge cases.')).toBe('complex');
  });

  it('rates trade-off reasoning complex and counts pasted code', () => {
    expect(rate('reasoning', 'Postgres or MongoDB for our app? Weigh the trade-offs.')).toBe('complex');
    const code = Array.from({ length: 20 }, (_, i) => `  const v${i} = compute(${i});`).join('\n');
    expect(complexityPoints('code', `fix this\n${code}`, 100, measure(`fix this\n${code}`))).toBeGreaterThanOrEqual(1);
  });

  it('rates a long pasted document complex by its original length', () => {
    const text = 'tl;dr of the attached report';
    expect(assessComplexity('summarization', text, 12_000, measure(text))).toBe('complex');
  });
});
