/**
 * Cue words of each kind of ask in the languages users type most, so that a cue learned from
 * English training data also fires for "résume", "zusammenfassen" or "总结". Each match becomes a
 * feature `lex:<cue>` (and `lex^<cue>` when it sits in the first 80 characters, where asks are).
 */
const CUES: Record<string, string[]> = {
  summarize: [
    'summar', 'tl;dr', 'tldr', 'gist', 'condense', 'shorten', 'boil this down', 'sum up', 'sum this up', 'key points', 'main points', 'takeaways',
    'résum', 'resum', 'riassum', 'zusammenfass', 'fasse', 'kurz zusammen', 'sintetiz', 'samenvat', '总结', '概括', '摘要', '要約', 'まとめ',
    'кратко', 'перескаж', 'сократи', 'резюм', 'вкратце',
  ],
  extract: [
    'extract', 'pull out', 'list all', 'list every', 'find all', 'get all', 'parse', 'json', 'csv', 'table', 'fields', 'named entit',
    'extrae', 'extrais', 'extrahier', 'estrai', 'extraia', 'extraer', 'saca ', '提取', '抽出', '抜き出', 'извлеки', 'выпиши', 'найди все',
  ],
  classify: [
    'classify', 'categori', 'label each', 'tag each', 'sentiment', 'tone of', 'positive or negative', 'spam', 'toxic', 'which category',
    'clasifica', 'classe', 'klassifizier', 'ordne', 'classific', 'tonalit', 'тональн', 'классифиц', '分类', '判定', '判断', 'ポジティブ',
  ],
  creative: [
    'poem', 'poet', 'story', 'haiku', 'limerick', 'sonnet', 'lyrics', 'song', 'slogan', 'tagline', 'names for', 'name ideas', 'ideas for',
    'brainstorm', 'roleplay', 'role-play', 'pretend you', 'fairy tale', 'toast', 'caption', 'jingle', 'rap ', 'bedtime',
    'poema', 'cuento', 'canción', 'poème', 'histoire', 'chanson', 'gedicht', 'geschichte', 'märchen', 'poesia', 'storia', 'filastrocca',
    'história', 'canção', 'slogan', '诗', '故事', '名字', '詩', '物語', '俳句', 'стих', 'сказк', 'рассказ', 'придумай', 'назван',
  ],
  code: [
    'code', 'function', 'script', 'regex', 'sql', 'query', 'bug', 'error', 'exception', 'compile', 'python', 'javascript', 'typescript',
    'java', 'c++', 'c#', 'rust', 'golang', 'bash', 'shell', 'docker', 'git ', 'api', 'class ', 'array', 'npm', 'pip ', 'css', 'html',
    'función', 'código', 'fonction', 'requête', 'funktion', 'skript', 'funzione', 'função', 'código', '函数', '代码', '脚本', 'コード', '関数',
    'функци', 'код', 'скрипт', 'запрос', 'массив',
  ],
  math: [
    'solve', 'calculate', 'compute', 'equation', 'integral', 'integrate', 'derivative', 'differentiate', 'probability', 'percent', 'how much',
    'how many', 'area of', 'volume of', 'average', 'prove', 'simplify', 'calcula', 'calcule', 'berechne', 'löse', 'ableitung', 'quanto fa',
    'quanto é', 'cuánto es', 'combien', 'wie viel', '求', '计算', '方程', '多少', '計算', '解を', 'реши', 'вычисли', 'найдите', 'сколько будет',
  ],
  decide: [
    'should i', 'should we', 'pros and cons', 'trade-off', 'tradeoff', 'compare', ' vs ', 'versus', 'which is better', 'better for', 'decide',
    'weigh', 'worth it', 'plan ', 'strategy', 'prioriti', 'analy', 'reason', 'step by step', 'what could go wrong', 'risks',
    'debería', 'analiza', 'faut-il', 'dois-je', 'pour et le contre', 'analyse', 'sollte', 'soll ich', 'vor- und nachteile', 'abwägen',
    'devo ', 'conviene', 'vale a pena', '利弊', '应该', '该不该', '分析', '比較', 'べき', 'стоит ли', 'плюсы и минусы', 'что лучше', 'разбери',
  ],
  question: [
    'what is', "what's", 'what are', 'who ', 'when ', 'where ', 'why ', 'how does', 'how do', 'how is', 'explain', 'meaning of',
    'qué es', 'quién', 'por qué', 'cómo funciona', "qu'est-ce", 'pourquoi', 'comment', 'was ist', 'wer ', 'warum', 'wie funktioniert',
    'o que é', 'como funciona', 'come funziona', 'chi ', 'perché', 'qual ', 'cuál', 'quelle', 'welche', '什么', '为什么', '谁', 'なぜ',
    'とは', 'ですか', 'что такое', 'почему', 'как работает', 'кто ', 'когда',
  ],
  greet: [
    'hi', 'hello', 'hey', 'thanks', 'thank you', 'thx', 'bye', 'good morning', 'good night', 'lol', 'haha', 'hola', 'gracias', 'bonjour',
    'merci', 'salut', 'hallo', 'danke', 'ciao', 'grazie', 'olá', 'obrigad', 'buenos', 'buenas', '你好', '谢谢', '嗨', 'こんにちは', 'ありがとう',
    'おやすみ', 'привет', 'спасибо', 'пока', 'how are you', "how's it going",
  ],
  feelings: [
    'i feel', "i'm feeling", 'im feeling', 'sad', 'lonely', 'stressed', 'anxious', 'nervous', 'depressed', 'tired of', 'i miss', 'broke up',
    'my girlfriend', 'my boyfriend', 'my mom', 'my dad', 'my friend', 'bored', 'upset', 'vent', 'in love', 'jealous',
  ],
};

interface CompiledCue {
  name: string;
  pattern: RegExp;
}

/** Latin cues match at a word start; CJK and other cues anywhere. */
const COMPILED: CompiledCue[] = Object.entries(CUES).map(([name, words]) => ({
  name,
  pattern: new RegExp(
    words
      .map((w) => escape(w))
      .map((w) => (/^[a-z]/.test(w) ? `(?<![\\p{L}])${w}` : w))
      .join('|'),
    'u',
  ),
}));

const ASK_CHARS = 80;

/** The cue tokens of a lower-cased text. */
export function cueTokens(lower: string): string[] {
  const tokens: string[] = [];
  const head = lower.slice(0, ASK_CHARS);
  for (const cue of COMPILED) {
    if (!cue.pattern.test(lower)) continue;
    tokens.push(`lex:${cue.name}`);
    if (cue.pattern.test(head)) tokens.push(`lex^${cue.name}`);
  }
  return tokens;
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
