import { Command } from 'commander';
import { call, type CliSettings } from './gateway-api';
import { csv, wholeNumber } from './args';

interface KeyJson {
  id: string;
  api_key?: string;
  display_prefix: string;
  description: string;
  role: string;
  priority: number;
  rpm: number | null;
  tpm: number | null;
  allowed_models: string[];
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
}


/** `iir keys create|list|revoke`, over the gateway's `/api/v1/apikeys`. */
export function keysCommand(settings: () => CliSettings, out: (line: string) => void): Command {
  const keys = new Command('keys').description('manage API keys (needs an admin key, or a trusted network to create)');

  keys
    .command('create')
    .description('issue a key; its secret is printed once and never again')
    .option('-d, --description <text>', 'what the key is for', '')
    .option('-p, --priority <n>', 'priority (0 = lowest)', wholeNumber('priority', 0), 0)
    .option('--rpm <n>', 'requests per minute', wholeNumber('rpm', 0))
    .option('--tpm <n>', 'tokens per minute', wholeNumber('tpm', 0))
    .option('-m, --models <globs>', 'allowed models, comma-separated globs (e.g. local/*,openai/gpt-4o*)')
    .option('--role <role>', 'user or admin (agent keys: iir agents token create)', 'user')
    .option('--expires <iso>', 'expiry, ISO-8601')
    .option('--json', 'print the answer as JSON')
    .action(async (o: { description: string; priority: number; rpm?: number; tpm?: number; models?: string; role: string; expires?: string; json?: boolean }) => {
      const key = await call<KeyJson>(settings(), 'POST', '/api/v1/apikeys', {
        description: o.description,
        priority: o.priority,
        role: o.role,
        ...(o.rpm !== undefined ? { rpm: o.rpm } : {}),
        ...(o.tpm !== undefined ? { tpm: o.tpm } : {}),
        ...(o.models ? { allowed_models: csv(o.models) } : {}),
        ...(o.expires ? { expires_at: o.expires } : {}),
      });
      if (o.json) return out(JSON.stringify(key));
      out(`id:     ${key.id}`);
      out(`secret: ${key.api_key ?? ''}`);
      out('Store the secret now: IIR keeps only its hash and cannot show it again.');
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('-a, --all', 'include revoked keys')
    .option('--json', 'print JSON')
    .action(async (o: { all?: boolean; json?: boolean }) => {
      const list = await call<{ data: KeyJson[] }>(settings(), 'GET', `/api/v1/apikeys${o.all ? '?include_revoked=true' : ''}`);
      if (o.json) return out(JSON.stringify(list.data));
      out(['ID', 'PREFIX', 'ROLE', 'PRIO', 'RPM', 'TPM', 'MODELS', 'STATE', 'DESCRIPTION'].join('\t'));
      for (const k of list.data) {
        const state = k.revoked_at ? 'revoked' : k.expires_at && Date.parse(k.expires_at) <= Date.now() ? 'expired' : 'active';
        out([k.id, k.display_prefix, k.role, k.priority, k.rpm ?? '-', k.tpm ?? '-', k.allowed_models.join(',') || '*', state, k.description].join('\t'));
      }
    });

  keys
    .command('revoke')
    .description('revoke a key; every gateway refuses it within a second')
    .argument('<id>', 'the key id (from `iir keys list`)')
    .action(async (id: string) => {
      const key = await call<KeyJson>(settings(), 'DELETE', `/api/v1/apikeys/${encodeURIComponent(id)}`);
      out(`revoked ${key.id} (${key.display_prefix}…)`);
    });

  return keys;
}
