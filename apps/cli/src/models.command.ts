import { Command, InvalidArgumentError } from 'commander';
import { call, type CliSettings } from './gateway-api';
import { csv, wholeNumber } from './args';

interface ModelJson {
  name: string;
  provider: string;
  kind: string;
  protocol: string;
  base_url: string;
  upstream_model: string;
  context_window: number | null;
  pricing: { prompt: number; completion: number } | null;
  aliases: string[];
  fallbacks: string[];
  enabled: boolean;
}

interface FieldOptions {
  kind?: string;
  protocol?: string;
  baseUrl?: string;
  upstreamModel?: string;
  contextWindow?: number;
  aliases?: string;
  fallbacks?: string;
  pricePrompt?: number;
  priceCompletion?: number;
  json?: boolean;
}

const price = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a price is USD per million tokens, a number ≥ 0');
  return n;
};
/** Names contain a slash; one encoded segment is what the gateway expects either way. */
const modelPath = (name: string, suffix = ''): string => `/v1/registry/models/${encodeURIComponent(name)}${suffix}`;

function withFieldOptions(command: Command): Command {
  return command
    .option('-k, --kind <kind>', 'hosted | vllm | llm-d | agent')
    .option('-p, --protocol <protocol>', 'openai | anthropic | agent')
    .option('-u, --base-url <url>', 'the upstream API root, e.g. http://gpu-box:8000/v1')
    .option('--upstream-model <id>', 'the id the upstream expects (default: the part after the slash)')
    .option('--context-window <tokens>', 'context window in tokens', wholeNumber('context window', 1))
    .option('-a, --aliases <names>', 'other names, comma-separated ("" for none)')
    .option('-f, --fallbacks <names>', 'models to try when this one fails, comma-separated ("" for none)')
    .option('--price-prompt <usd>', 'USD per million prompt tokens', price)
    .option('--price-completion <usd>', 'USD per million completion tokens', price)
    .option('--json', 'print the answer as JSON');
}

/** Only what was given, in the HTTP API's snake_case. */
function fields(o: FieldOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (o.kind !== undefined) body['kind'] = o.kind;
  if (o.protocol !== undefined) body['protocol'] = o.protocol;
  if (o.baseUrl !== undefined) body['base_url'] = o.baseUrl;
  if (o.upstreamModel !== undefined) body['upstream_model'] = o.upstreamModel;
  if (o.contextWindow !== undefined) body['context_window'] = o.contextWindow;
  if (o.aliases !== undefined) body['aliases'] = csv(o.aliases);
  if (o.fallbacks !== undefined) body['fallbacks'] = csv(o.fallbacks);
  if (o.pricePrompt !== undefined || o.priceCompletion !== undefined) {
    // Pricing is replaced whole: one half alone would silently zero the other.
    if (o.pricePrompt === undefined || o.priceCompletion === undefined) {
      throw new InvalidArgumentError('give both --price-prompt and --price-completion (pricing is set as a pair)');
    }
    body['pricing'] = { prompt: o.pricePrompt, completion: o.priceCompletion };
  }
  return body;
}

/** `iir models list|add|update|remove|enable|disable`, over the gateway's `/v1/registry/models`. */
export function modelsCommand(settings: () => CliSettings, out: (line: string) => void): Command {
  const models = new Command('models').description('manage the model registry (needs an admin key); changes route at once');
  const show = (m: ModelJson, json: boolean | undefined, verb: string): void => {
    if (json) return out(JSON.stringify(m));
    out(`${verb} ${m.name} (${m.kind}, ${m.protocol}${m.base_url ? ` at ${m.base_url}` : ''}, ${m.enabled ? 'enabled' : 'disabled'})`);
  };

  models
    .command('list')
    .description('list models, disabled ones included')
    .option('--enabled', 'only enabled models')
    .option('--json', 'print JSON')
    .action(async (o: { enabled?: boolean; json?: boolean }) => {
      const answer = await call<{ data: ModelJson[] }>(settings(), 'GET', `/v1/registry/models${o.enabled ? '?include_disabled=false' : ''}`);
      if (o.json) return out(JSON.stringify(answer.data));
      out(['NAME', 'KIND', 'PROTOCOL', 'STATE', 'BASE URL', 'UPSTREAM', 'ALIASES', 'FALLBACKS'].join('\t'));
      for (const m of answer.data) {
        out([m.name, m.kind, m.protocol, m.enabled ? 'enabled' : 'disabled', m.base_url || '-', m.upstream_model, m.aliases.join(',') || '-', m.fallbacks.join(',') || '-'].join('\t'));
      }
    });

  withFieldOptions(
    models
      .command('add')
      .description('register a model (operator-managed: the seed file never changes it)')
      .argument('<name>', '<provider>/<model>, e.g. vllm/llama-3.1-8b')
      .option('--disabled', 'add it switched off'),
  ).action(async (name: string, o: FieldOptions & { disabled?: boolean }) => {
    const body = { name, kind: o.kind ?? 'hosted', protocol: o.protocol ?? 'openai', ...fields(o), ...(o.disabled ? { enabled: false } : {}) };
    show(await call<ModelJson>(settings(), 'POST', '/v1/registry/models', body), o.json, 'added');
  });

  withFieldOptions(models.command('update').description('change some fields of a model').argument('<name>', 'the model')).action(
    async (name: string, o: FieldOptions) => {
      const body = fields(o);
      if (Object.keys(body).length === 0) throw new InvalidArgumentError('nothing to update: give at least one option (see --help)');
      show(await call<ModelJson>(settings(), 'PATCH', modelPath(name), body), o.json, 'updated');
    },
  );

  models
    .command('remove')
    .description('delete an operator-managed model (seeded ones: disable them)')
    .argument('<name>', 'the model')
    .action(async (name: string) => {
      const answer = await call<{ name: string }>(settings(), 'DELETE', modelPath(name));
      out(`removed ${answer.name}`);
    });

  for (const verb of ['enable', 'disable'] as const) {
    models
      .command(verb)
      .description(`${verb} a model; routers follow at once`)
      .argument('<name>', 'the model')
      .option('--json', 'print the answer as JSON')
      .action(async (name: string, o: { json?: boolean }) => {
        show(await call<ModelJson>(settings(), 'POST', modelPath(name, `/${verb}`)), o.json, `${verb}d`);
      });
  }

  return models;
}
