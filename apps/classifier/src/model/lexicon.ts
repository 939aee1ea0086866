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

/** One pattern for every cue, longest first so "sum this up" wins over "sum up"; scanned once. */
const CUE_OF = new Map<string, string>();
for (const [name, words] of Object.entries(CUES)) for (const w of words) CUE_OF.set(w, name);
const ALL_CUES = new RegExp(
  [...CUE_OF.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|'),
  'g',
);

const ASK_CHARS = 80;
/** Cues are looked for where asks are (the head and the tail), which also bounds their cost. */
const SEARCH_HEAD = 400;
const SEARCH_TAIL = 200;

/** The cue tokens of a lower-cased text. A Latin cue only counts at the start of a word. */
export function cueTokens(text: string): string[] {
  const lower = text.length <= SEARCH_HEAD + SEARCH_TAIL ? text : `${text.slice(0, SEARCH_HEAD)}\n${text.slice(-SEARCH_TAIL)}`;
  const found = new Set<string>();
  ALL_CUES.lastIndex = 0;
  for (let m = ALL_CUES.exec(lower); m !== null; m = ALL_CUES.exec(lower)) {
    const word = m[0];
    const cue = CUE_OF.get(word);
    if (cue === undefined) continue;
    if (isLatinLetter(word.charCodeAt(0)) && m.index > 0 && isLetter(lower.charCodeAt(m.index - 1))) continue;
    found.add(`lex:${cue}`);
    if (m.index < ASK_CHARS) found.add(`lex^${cue}`);
  }
  return [...found];
}

function isLatinLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isLetter(c: number): boolean {
  return isLatinLetter(c) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x400 && c <= 0x4ff);
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
