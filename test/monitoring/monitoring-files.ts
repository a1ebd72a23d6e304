import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

/**
 * Reading and checking deploy/monitoring/ offline: the alert rules file, the Grafana dashboard, every
 * PromQL expression in them (parsed with Prometheus' own Lezer grammar, the one its UI uses), and the
 * metric names they reference.
 */
export const MONITORING_DIR = resolve(__dirname, '../../deploy/monitoring');

export interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: AlertRule[];
}

export interface DashboardTarget {
  refId: string;
  expr: string;
}
export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: DashboardTarget[];
}
export interface Dashboard {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: DashboardPanel[];
}

export function readMonitoringFile(name: string): string {
  return readFileSync(join(MONITORING_DIR, name), 'utf8');
}

export function loadRules(text = readMonitoringFile('alerts.yaml')): unknown {
  return parseYaml(text, { uniqueKeys: true, strict: true });
}

export function loadDashboard(text = readMonitoringFile('dashboard.json')): unknown {
  return JSON.parse(text);
}

/** Prometheus duration (`for`, `interval`): one or more number+unit pairs, e.g. `5m`, `1h30m`. */
export const PROM_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Structural problems of a rules file that Prometheus would refuse to load (promtool's `check rules`). */
export function ruleFileProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const groups = (doc as { groups?: unknown })?.groups;
  if (!Array.isArray(groups) || groups.length === 0) return ['no `groups` list'];
  const groupNames = new Set<string>();
  groups.forEach((g: Partial<RuleGroup>, gi) => {
    const where = `groups[${gi}]`;
    if (typeof g?.name !== 'string' || g.name === '') problems.push(`${where}: no name`);
    else if (groupNames.has(g.name)) problems.push(`${where}: duplicate group name ${g.name}`);
    else groupNames.add(g.name);
    for (const key of Object.keys(g ?? {}))
      if (!['name', 'interval', 'rules', 'limit', 'query_offset', 'labels'].includes(key)) problems.push(`${where}: unknown key ${key}`);
    if (g?.interval !== undefined && !PROM_DURATION.test(String(g.interval))) problems.push(`${where}: bad interval`);
    if (!Array.isArray(g?.rules) || g.rules.length === 0) {
      problems.push(`${where}: no rules`);
      return;
    }
    g.rules.forEach((r: AlertRule, ri) => {
      const at = `${where}.rules[${ri}]${r?.alert ? ` (${r.alert})` : ''}`;
      for (const key of Object.keys(r ?? {}))
        if (!['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'].includes(key))
          problems.push(`${at}: unknown key ${key}`);
      if ((r.alert === undefined) === (r.record === undefined)) problems.push(`${at}: exactly one of alert and record`);
      if (r.alert !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.alert)) problems.push(`${at}: bad alert name`);
      if (typeof r.expr !== 'string' || r.expr.trim() === '') problems.push(`${at}: no expr`);
      if (r.for !== undefined && !PROM_DURATION.test(String(r.for))) problems.push(`${at}: bad for`);
      for (const [kind, map] of [
        ['labels', r.labels],
        ['annotations', r.annotations],
      ] as const) {
        if (map === undefined) continue;
        if (typeof map !== 'object' || map === null || Array.isArray(map)) {
          problems.push(`${at}: ${kind} is not a map`);
          continue;
        }
        for (const [k, v] of Object.entries(map)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) problems.push(`${at}: bad ${kind} name ${k}`);
          if (typeof v !== 'string') problems.push(`${at}: ${kind}.${k} is not a string`);
          else if ((v.match(/\{\{/g) ?? []).length !== (v.match(/\}\}/g) ?? []).length)
            problems.push(`${at}: unbalanced template in ${kind}.${k}`);
        }
      }
      if (r.alert !== undefined && !['critical', 'warning', 'info'].includes(String(r.labels?.severity)))
        problems.push(`${at}: severity must be critical, warning or info`);
    });
  });
  return problems;
}

export interface ParsedExpr {
  /** syntax errors with their offset; empty when the expression parses */
  errors: string[];
  /** metric names of every vector selector */
  metrics: string[];
}

/** Grafana's range variables, replaced by a duration before parsing (Grafana does the same at query time). */
const GRAFANA_VARIABLES = /\$__(rate_interval|interval|range)\b/g;

export function parsePromQL(expression: string): ParsedExpr {
  const expr = expression.replace(GRAFANA_VARIABLES, '5m');
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.add(expr.slice(node.from, node.to));
    },
  });
  if (tree.topNode.name !== 'PromQL' || expr.trim() === '') errors.push('empty expression');
  return { errors, metrics: [...metrics] };
}

/** Every PromQL expression of the rules file and the dashboard, with where it came from. */
export function allExpressions(
  rules = loadRules() as { groups: RuleGroup[] },
  dashboard = loadDashboard() as Dashboard,
): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const g of rules.groups) for (const r of g.rules) out.push({ where: `alerts.yaml ${r.alert ?? r.record}`, expr: r.expr });
  for (const p of dashboard.panels)
    for (const t of p.targets ?? []) out.push({ where: `dashboard.json panel "${p.title}" ${t.refId}`, expr: t.expr });
  return out;
}

/**
 * Metric names a Prometheus text exposition makes queryable: every sample name, and for each
 * `# TYPE` the family name plus, for histograms and summaries, `_bucket`/`_sum`/`_count`.
 */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/.exec(line);
    if (type) {
      names.add(type[1]);
      if (type[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(type[1] + s);
      if (type[2] === 'summary') for (const s of ['_sum', '_count']) names.add(type[1] + s);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]);
  }
  return names;
}
