import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import {
  allExpressions,
  Dashboard,
  DashboardPanel,
  loadDashboard,
  loadRules,
  parsePromQL,
  RuleGroup,
  ruleFileProblems,
} from './monitoring-files';

/** deploy/monitoring/, checked offline: what `promtool check rules` and a Grafana import would refuse. */

const dashboardSchema = JSON.parse(readFileSync(join(__dirname, 'grafana-dashboard.schema.json'), 'utf8'));
const validateDashboard = new Ajv({ allErrors: true, strict: true }).compile(dashboardSchema);

describe('alert rules (deploy/monitoring/alerts.yaml)', () => {
  const rules = loadRules() as { groups: RuleGroup[] };
  const alerts = rules.groups.flatMap((g) => g.rules);

  it('is a Prometheus rules file Prometheus would load', () => {
    expect(ruleFileProblems(rules)).toEqual([]);
  });

  it('refuses what Prometheus refuses: no expr, a bad duration, no severity, a non-string label, a duplicate group', () => {
    const broken = {
      groups: [
        {
          name: 'a',
          rules: [
            { alert: 'NoExpr', labels: { severity: 'warning' } },
            { alert: 'BadFor', expr: 'up', for: '5 minutes', labels: { severity: 'warning' } },
          ],
        },
        {
          name: 'a',
          rules: [
            { alert: 'NoSeverity', expr: 'up' },
            { alert: 'NumberLabel', expr: 'up', labels: { severity: 'info', n: 3 } },
          ],
        },
      ],
    };
    const problems = ruleFileProblems(broken).join('\n');
    for (const expected of [
      '(NoExpr): no expr',
      '(BadFor): bad for',
      'duplicate group name a',
      '(NoSeverity): severity',
      '(NumberLabel): labels.n is not a string',
    ])
      expect(problems).toContain(expected);
    expect(() => loadRules('groups:\n  - name: x\n    name: y\n')).toThrow();
  });

  it('names every alert once', () => {
    const names = alerts.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('alerts on delivery failures, queue depth and age, RPC errors, lockout spikes and SMS caps', () => {
    const uses = (metric: string) => alerts.some((r) => parsePromQL(r.expr).metrics.includes(metric));
    expect(uses('notifier_messages_failed_total')).toBe(true);
    expect(uses('notifier_queue_jobs')).toBe(true);
    expect(uses('notifier_queue_oldest_waiting_seconds')).toBe(true);
    expect(uses('mfa_rpc_duration_seconds_count')).toBe(true);
    // auth-api's side of the RPC: failing calls per endpoint, an endpoint down, none left
    expect(uses('mfa_rpc_client_calls_total')).toBe(true);
    expect(uses('mfa_rpc_client_endpoint_healthy')).toBe(true);
    expect(uses('mfa_lockouts_total')).toBe(true);
    expect(uses('notifier_sms_cap_tripped_total')).toBe(true);
  });
});

describe('Grafana dashboard (deploy/monitoring/dashboard.json)', () => {
  const dashboard = loadDashboard() as Dashboard;

  it('matches the dashboard JSON model', () => {
    expect(validateDashboard(dashboard) ? [] : validateDashboard.errors).toEqual([]);
  });

  it('the schema refuses a panel without a position, a query without an expression, and a foreign data source', () => {
    const panel = dashboard.panels.find((p) => p.type === 'timeseries') as DashboardPanel & Record<string, unknown>;
    const without = ({ gridPos: _g, ...rest }: typeof panel) => rest;
    for (const bad of [without(panel), { ...panel, targets: [{ refId: 'A' }] }, { ...panel, datasource: { type: 'influxdb', uid: 'x' } }]) {
      expect(validateDashboard({ ...dashboard, panels: [bad] })).toBe(false);
    }
  });

  it('gives every panel its own id and its own place on the grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    const overlaps: string[] = [];
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const key = `${x},${y}`;
          if (cells.has(key)) overlaps.push(`${p.title} overlaps ${cells.get(key)}`);
          cells.set(key, p.title);
        }
    }
    expect([...new Set(overlaps)]).toEqual([]);
  });
});

describe('PromQL in both files', () => {
  it('every expression parses', () => {
    const failures = allExpressions()
      .map(({ where, expr }) => ({ where, errors: parsePromQL(expr).errors }))
      .filter((f) => f.errors.length > 0);
    expect(failures).toEqual([]);
  });

  it('the parser refuses broken PromQL and finds the metric names of valid PromQL', () => {
    for (const broken of ['sum(rate(x_total[5m])', 'rate(x_total[5m]) >', 'sum by (a (x)', 'x{a="b"'])
      expect(parsePromQL(broken).errors.length).toBeGreaterThan(0);
    const ok = parsePromQL(
      'histogram_quantile(0.9, sum by (le) (rate(a_bucket{q="x"}[$__rate_interval]))) / on() group_left max(b) > 1 and c',
    );
    expect(ok.errors).toEqual([]);
    expect(ok.metrics.sort()).toEqual(['a_bucket', 'b', 'c']);
  });
});
