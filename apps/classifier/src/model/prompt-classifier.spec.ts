import { PROMPT_LABELS, type PromptLabel } from '@iir/contracts';
import path from 'node:path';
import { loadModelFile } from './model-file';
import { PromptClassifier } from './prompt-classifier';

const classifier = new PromptClassifier(loadModelFile(path.join(__dirname, '../../model/classifier-model.json')));
const ask = (content: string) => classifier.classify({ messages: [{ role: 'user', content }] });

describe(PromptClassifier.name, () => {
  const clear: Array<[PromptLabel, string]> = [
    ['code', 'write a python function that removes duplicates from a list but keeps the order'],
    ['code', 'TypeError: undefined is not a function\n    at Object.<anonymous> (index.js:3:5)\nwhy??'],
    ['math', 'solve 3x - 4 = 11 for x'],
    ['math', 'what is 15% of 240?'],
    ['reasoning', 'Should I take the job with the higher salary or the one with better work-life balance? Help me weigh it.'],
    ['creative', 'write a short poem about the sea at night'],
    ['creative', 'give me 10 name ideas for my new coffee shop'],
    ['summarization', 'Summarize this in two sentences:\n\nThe council approved a plan to build a new library downtown. Construction starts next spring and should take two years. The old library will become a community center.'],
    ['extraction', 'Extract all the email addresses from this text: write to anna@example.com or to support@shop.io for help.'],
    ['qa', 'why is the sky blue?'],
    ['qa', 'who wrote the novel war and peace'],
    ['chat', 'hey, how are you doing today?'],
    ['chat', 'thanks a lot!'],
  ];

  it.each(clear)('labels a clear %s prompt', (label, prompt) => {
    expect(ask(prompt).label).toBe(label);
  });

  it('answers with a probability for every label that sums to 1, the best one as confidence', () => {
    const result = ask('hello there');
    expect(Object.keys(result.scores).sort()).toEqual([...PROMPT_LABELS].sort());
    const sum = Object.values(result.scores).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 2);
    expect(result.confidence).toBe(Math.max(...Object.values(result.scores)));
  });

  it('rates a greeting simple and a long multi-part proof request complex', () => {
    expect(ask('hi!').complexity).toBe('simple');
    expect(ask('what is the capital of France?').complexity).toBe('simple');
    expect(
      ask('Prove that there are infinitely many primes, then derive a bound on the n-th prime, and finally explain step by step where the proof would fail for primes of the form 4k+1.').complexity,
    ).toBe('complex');
  });

  it('uses the previous turn to label a short follow-up', () => {
    const followUp = classifier.classify({
      messages: [
        { role: 'user', content: 'write a python function that parses a CSV file and returns a list of dicts' },
        { role: 'assistant', content: 'def parse(path):\n    import csv\n    with open(path) as f:\n        return list(csv.DictReader(f))' },
        { role: 'user', content: 'now in go please' },
      ],
    });
    expect(followUp.label).toBe('code');
  });

  it('classifies a very long pasted text without failing, and reads its length as complex', () => {
    const article = 'The committee met again on Tuesday to review the budget proposals. '.repeat(600);
    const result = ask(`Summarize this article:\n\n${article}`);
    expect(result.label).toBe('summarization');
    expect(result.complexity).toBe('complex');
  });

  it('honours the original length of a message the client shortened', () => {
    const result = classifier.classify({ messages: [{ role: 'user', content: 'tl;dr\n\nshort text here', originalLength: 40_000 }] });
    expect(result.complexity).toBe('complex');
  });

  it('does not fail on an empty message', () => {
    expect(PROMPT_LABELS).toContain(ask('').label);
  });
});
