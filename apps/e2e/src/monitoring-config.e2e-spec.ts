import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeOpenAIServer, REPO_ROOT, requireService, scrapeMetrics, ServiceProcesses, TEST_NATS_URL, waitFor, type MetricsSnapshot } from '@iir/testing';
import { parse } from 'yaml';
import { E2eWorkspace, startSeparately, type SeparateService, type Started } from './support/e2e-stack';
import { balanced, isKnownSeries, metricNames } from './support/promql';

const MONITORING = path.join(REPO_ROOT, 'monitoring');
const ADMIN_KEY = 'iir-admin-e2e-monitoring-key-0123456789abcdef';

/** The gateway's metrics: the scrape below must find them. */
const GATEWAY_SERVED = [
  'iir_gateway_requests_total',
  'iir_gateway_request_duration_seconds',
  'iir_gateway_ttft_seconds',
  'iir_gateway_upstream_duration_seconds',
  'iir_gateway_upstream_attempts_total',
  'iir_gateway_tokens_total',
  'iir_gateway_in_flight_requests',
  'iir_gateway_cache_requests_total',
  'iir_gateway_cache_errors_total',
  'iir_gateway_ratelimit_refusals_total',
  'iir_gateway_ratelimit_degraded',
  'iir_gateway_ratelimit_fallback_checks_total',
];

/** What each service must serve, by name (the README's Observability table). */
const SERVICE_METRICS: Record<'router' | 'registry' | 'auth' | 'classifier' | 'agent', string[]> = {
  router: [
    'iir_router_plans_total',
    'iir_router_plan_duration_seconds',
    'iir_router_catalog_models',
    'iir_router_catalog_reloads_total',
    'iir_router_targets_in_cooldown',
    'iir_router_agents',
  ],
  registry: ['iir_registry_requests_total', 'iir_registry_request_duration_seconds', 'iir_registry_models', 'iir_registry_changes_total'],
  auth: [
    'iir_auth_key_operations_total',
    'iir_auth_usage_records_written_total',
    'iir_auth_ledger_write_duration_seconds',
    'iir_auth_ledger_batch_size',
    'iir_auth_ledger_write_failures_total',
  ],
  classifier: ['iir_classifier_requests_total'],
  agent: ['iir_agent_up'],
};

/** Series Prometheus makes itself for every target. */
const PROMETHEUS_SERIES = new Map([['up', 'gauge']]);

interface AlertRule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Dashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: Array<{ name?: string; type?: string; query?: string }> };
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ refId?: string; expr?: string; datasource?: { uid?: string } }>;
  panels?: Panel[];
}

const readYaml = <T>(file: string): T => parse(readFileSync(path.join(MONITORING, file), 'utf8')) as T;
const alertRules = (): AlertRule[] =>
  (readYaml<{ groups?: Array<{ rules?: AlertRule[] }> }>('alerts.yml').groups ?? []).flatMap((g) => g.rules ?? []);
const dashboardFiles = (): string[] => readdirSync(path.join(MONITORING, 'grafana/dashboards')).filter((f) => f.endsWith('.json'));
const dashboard = (file: string): Dashboard => JSON.parse(readFileSync(path.join(MONITORING, 'grafana/dashboards', file), 'utf8')) as Dashboard;
const panelsOf = (d: Dashboard): Panel[] => (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);

/** Every PromQL expression in the monitoring config, with where it came from. */
function expressions(): Array<{ where: string; expr: string }> {
  const found = alertRules().map((r) => ({ where: `alerts.yml ${r.alert ?? '?'}`, expr: r.expr ?? '' }));
  for (const file of dashboardFiles()) {
    for (const p of panelsOf(dashboard(file))) {
      for (const t of p.targets ?? []) found.push({ where: `${file} "${p.title ?? '?'}" ${t.refId ?? '?'}`, expr: t.expr ?? '' });
    }
  }
  return found;
}

describe('PromQL metric-name extraction', () => {
  it('reads metric names past functions, matchers, ranges, label lists and keywords', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, model) (rate(a_seconds_bucket{stream="false", x=~"b|c"}[$__rate_interval]))) > 5 and on (instance) b_total offset 5m',
      ).sort(),
    ).toEqual(['a_seconds_bucket', 'b_total']);
    expect(metricNames('sum(rate(x_total[5m])) / sum without (job) (y) == 1e3')).toEqual(['x_total', 'y']);
    expect(metricNames('up{job="iir"} == 0')).toEqual(['up']);
  });

  it('accepts a histogram’s _bucket, _sum and _count, and nothing else the name does not declare', () => {
    const known = new Map([['h_seconds', 'histogram'], ['c_total', 'counter']]);
    expect(['h_seconds_bucket', 'h_seconds_sum', 'h_seconds_count', 'c_total'].every((n) => isKnownSeries(n, known))).toBe(true);
    expect(isKnownSeries('c_total_count', known)).toBe(false);
    expect(isKnownSeries('h_second_bucket', known)).toBe(false);
  });
});

describe('monitoring config', () => {
  it('scrapes every service at its compose name and port and loads the alert rules compose mounts', () => {
    const prometheus = readYaml<{ rule_files?: string[]; scrape_configs?: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }> }>(
      'prometheus.yml',
    );
    const targets = (prometheus.scrape_configs ?? []).flatMap((j) => (j.static_configs ?? []).flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(['agent:5000', 'auth:8003', 'classifier:8004', 'gateway:8000', 'registry:8002', 'router:8001']);
    const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
    for (const target of targets.filter((t) => !t.startsWith('agent:'))) expect(Object.keys(compose.services)).toContain(target.split(':')[0]);
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(compose.services['prometheus']?.volumes).toContain('./monitoring/alerts.yml:/etc/prometheus/alerts.yml:ro');
  });

  it('has alert rules that are complete: a name, a balanced expression, a duration, a severity and a summary', () => {
    const rules = alertRules();
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['IIRGatewayHighErrorRatio', 'IIRGatewayHighLatencyP99', 'IIRNoFreshAgents', 'IIRRateLimiterDegraded', 'IIRLedgerWriteFailures', 'IIRServiceDown']),
    );
    for (const rule of rules) {
      expect({ alert: rule.alert, balanced: balanced(rule.expr ?? '') }).toEqual({ alert: rule.alert, balanced: true });
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toEqual(expect.any(String));
    }
  });

  it('has dashboards Grafana can provision: unique uid and panel ids, every query on the datasource variable', () => {
    const files = dashboardFiles();
    expect(files).toContain('iir-overview.json');
    const uids = files.map((f) => dashboard(f).uid);
    expect(new Set(uids).size).toBe(files.length);
    const overview = dashboard('iir-overview.json');
    expect(overview.templating?.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    const panels = panelsOf(overview);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels.filter((panel) => panel.type !== 'row')) {
      expect({ title: p.title, uid: p.datasource?.uid }).toEqual({ title: p.title, uid: '${datasource}' });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect({ title: p.title, ok: balanced(t.expr ?? '') && Boolean(t.refId) }).toEqual({ title: p.title, ok: true });
    }
  });
});

/**
 * Every metric the alerts and dashboards query must be one the services really serve: router,
 * registry, auth, classifier, agent and gateway run as built processes over NATS, take a little
 * traffic, and their /metrics pages are the list of known names.
 */
describe('monitoring config against the services’ real /metrics', () => {
  const procs = new ServiceProcesses();
  const upstream = new FakeOpenAIServer();
  let ws: E2eWorkspace;
  let stack: Record<SeparateService, Started>;
  let agentPort: number;
  const scraped = new Map<string, MetricsSnapshot>();

  const gateway = (p: string, init: RequestInit = {}): Promise<Response> => fetch(`http://127.0.0.1:${stack.gateway.port}${p}`, init);
  const chat = (key: string, model = 'fake/echo'): Promise<Response> =>
    gateway('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20 }),
    });

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    await upstream.start();
    ws = new E2eWorkspace('mon');
    writeFileSync(
      ws.seedFile,
      `models:\n  - { name: fake/echo, provider: fake, kind: vllm, protocol: openai, upstream_model: echo, base_url: "${upstream.baseUrl}" }\n`,
    );
    const agent = procs.spawn('agent', { env: ws.natsEnv() });
    [stack, agentPort] = await Promise.all([
      startSeparately(procs, { ...ws, natsEnv: (extra = {}) => ws.natsEnv({ IIR_ADMIN_KEY: ADMIN_KEY, ...extra }) } as E2eWorkspace),
      agent.waitForReady('agent'),
    ]);

    // Traffic: a key (auth create), a routed chat (auth verify, router plan, the ledger), an unknown
    // model (model_not_found), and a second request over the key's limit (a refusal).
    await waitFor(async () => (await chat(ADMIN_KEY)).status === 200, { timeoutMs: 15_000, what: 'a first routed request' });
    const created = await gateway('/api/v1/apikeys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'monitoring', rpm: 1 }),
    });
    expect(created.status).toBe(201);
    const { api_key: key } = (await created.json()) as { api_key: string };
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(429);
    expect((await chat(ADMIN_KEY, 'nope/unknown')).status).toBe(404);
    await waitFor(async () => (await scrapeMetrics(stack.auth.port)).value('iir_auth_usage_records_written_total') >= 2, {
      timeoutMs: 15_000,
      what: 'the ledger to write the usage records',
    });
    const ports: Record<string, number> = { agent: agentPort, ...Object.fromEntries(Object.entries(stack).map(([name, s]) => [name, s.port])) };
    for (const [name, port] of Object.entries(ports)) scraped.set(name, await scrapeMetrics(port));
  }, 90_000);

  afterAll(async () => {
    await procs.killAll();
    await upstream.close();
    ws?.dispose();
  });

  const known = (): Map<string, string> => {
    const names = new Map(PROMETHEUS_SERIES);
    for (const snapshot of scraped.values()) for (const [name, type] of snapshot.types) names.set(name, type);
    return names;
  };

  it('finds every metric an alert or a dashboard panel queries on some service’s /metrics', () => {
    const names = known();
    const unknown = expressions().flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((n) => !isKnownSeries(n, names))
        .map((n) => `${where}: ${n}`),
    );
    expect(unknown).toEqual([]);
    // The extraction found something in every expression (an empty one would pass the check above).
    for (const { where, expr } of expressions()) expect({ where, names: metricNames(expr).length > 0 }).toEqual({ where, names: true });
  });

  it('serves each service’s own metrics with the process metrics, on its own port', () => {
    for (const [service, names] of Object.entries(SERVICE_METRICS)) {
      const page = scraped.get(service);
      expect({ service, missing: names.filter((n) => !page?.types.has(n)) }).toEqual({ service, missing: [] });
      expect(page?.types.has('process_cpu_user_seconds_total')).toBe(true);
    }
    const gatewayPage = scraped.get('gateway');
    expect(GATEWAY_SERVED.filter((n) => !gatewayPage?.types.has(n))).toEqual([]);
  });

  it('moves the counters the traffic went through', () => {
    const router = scraped.get('router');
    const registry = scraped.get('registry');
    const auth = scraped.get('auth');
    expect(router?.value('iir_router_plans_total', { policy: 'direct', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(router?.value('iir_router_plans_total', { outcome: 'model_not_found' })).toBeGreaterThanOrEqual(1);
    expect(router?.value('iir_router_catalog_models')).toBe(1);
    expect(registry?.value('iir_registry_requests_total', { operation: 'list', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(registry?.value('iir_registry_models', { enabled: 'true' })).toBe(1);
    expect(auth?.value('iir_auth_key_operations_total', { operation: 'create', outcome: 'ok' })).toBe(1);
    expect(auth?.value('iir_auth_key_operations_total', { operation: 'verify', outcome: 'usable' })).toBeGreaterThanOrEqual(1);
    expect(auth?.value('iir_auth_ledger_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(scraped.get('gateway')?.value('iir_gateway_ratelimit_refusals_total', { limit: 'requests' })).toBe(1);
    expect(scraped.get('agent')?.value('iir_agent_up')).toBe(1);
  });
});
