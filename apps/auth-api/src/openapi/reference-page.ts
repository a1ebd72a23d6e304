import { createHash } from 'node:crypto';

/**
 * The API reference page: one self-contained HTML document (the OpenAPI JSON, a small script and a
 * style sheet inline; nothing loaded from anywhere) under a Content-Security-Policy that allows only
 * that script and that style, by hash.
 */
export interface ReferencePage {
  html: string;
  contentSecurityPolicy: string;
}

const STYLE = `
:root { color-scheme: light dark; --line: #8884; --muted: #888; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 4rem; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2.5rem; text-transform: capitalize; }
.muted { color: var(--muted); } code { font: 13px ui-monospace, monospace; }
nav a { margin-right: 1rem; }
details.op { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; }
details.op > summary { cursor: pointer; padding: .45rem .7rem; list-style: none; display: flex; gap: .8rem; align-items: baseline; flex-wrap: wrap; }
details.op[open] > summary { border-bottom: 1px solid var(--line); }
.op-body { padding: .2rem .9rem .8rem; }
.method { font: bold 12px ui-monospace, monospace; min-width: 4.2rem; text-align: center; padding: .15rem .3rem; border-radius: 4px; color: #fff; }
.GET { background: #2f6fb3; } .POST { background: #2e8b57; } .PUT { background: #b07d12; } .PATCH { background: #7a4fb3; } .DELETE { background: #b33a3a; }
.deprecated .path { text-decoration: line-through; }
.opid { margin-left: auto; }
table { border-collapse: collapse; margin: .3rem 0 .6rem; } th, td { text-align: left; padding: .2rem .8rem .2rem 0; vertical-align: top; border-bottom: 1px solid var(--line); }
`;

const SCRIPT = `
(function () {
  var doc = JSON.parse(document.getElementById('openapi').textContent);
  var root = document.getElementById('reference');
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function refName(schema) { return schema && schema.$ref ? schema.$ref.split('/').pop() : (schema && schema.type) || ''; }
  function typeOf(s) {
    if (!s) return '';
    if (s.$ref) return refName(s);
    if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
    if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(' | ');
    if (s.type === 'array') return typeOf(s.items) + '[]';
    return s.type || 'any';
  }
  var ops = [];
  Object.keys(doc.paths).forEach(function (path) {
    Object.keys(doc.paths[path]).forEach(function (method) {
      ops.push({ path: path, method: method.toUpperCase(), op: doc.paths[path][method] });
    });
  });
  document.getElementById('count').textContent = ops.length + ' operations';
  document.getElementById('version').textContent = 'version ' + doc.info.version + ', OpenAPI ' + doc.openapi;
  var tags = (doc.tags || []).map(function (t) { return t.name; });
  var nav = el('nav', {}, tags.map(function (t) { return el('a', { href: '#tag-' + t }, [t]); }).concat([el('a', { href: '#models' }, ['models'])]));
  root.appendChild(nav);
  tags.forEach(function (tag) {
    var section = el('section', { id: 'tag-' + tag, 'data-tag': tag }, [el('h2', {}, [tag])]);
    ops.filter(function (o) { return o.op.tags.indexOf(tag) >= 0; }).forEach(function (o) {
      var body = el('div', { class: 'op-body' }, []);
      (o.op.description || '').split('\\n\\n').forEach(function (p) { body.appendChild(el('p', {}, [p])); });
      if (o.op.parameters && o.op.parameters.length) {
        body.appendChild(el('h4', {}, ['Parameters']));
        body.appendChild(el('table', {}, o.op.parameters.map(function (p) {
          return el('tr', {}, [el('td', {}, [el('code', {}, [p.name])]), el('td', {}, [p.in]), el('td', {}, [typeOf(p.schema)]), el('td', {}, [p.required ? 'required' : 'optional'])]);
        })));
      }
      var rb = o.op.requestBody && o.op.requestBody.content['application/json'].schema;
      if (rb && rb.properties) {
        var required = rb.required || [];
        body.appendChild(el('h4', {}, ['Body (application/json)']));
        body.appendChild(el('table', {}, Object.keys(rb.properties).map(function (k) {
          return el('tr', {}, [el('td', {}, [el('code', {}, [k])]), el('td', {}, [typeOf(rb.properties[k])]), el('td', {}, [required.indexOf(k) >= 0 ? 'required' : 'optional'])]);
        })));
      }
      body.appendChild(el('h4', {}, ['Responses']));
      body.appendChild(el('table', {}, Object.keys(o.op.responses).map(function (status) {
        var r = o.op.responses[status];
        var content = r.content ? Object.keys(r.content)[0] : '';
        var model = r.$ref ? 'Error' : content ? (content === 'application/json' ? refName(r.content[content].schema) : content) : 'no body';
        return el('tr', {}, [el('td', {}, [status]), el('td', {}, [model])]);
      })));
      var summary = el('summary', {}, [
        el('span', { class: 'method ' + o.method }, [o.method]),
        el('code', { class: 'path' }, ['/v1' + o.path]),
        el('span', {}, [o.op.summary + (o.op.deprecated ? ' (deprecated alias)' : '')]),
        el('code', { class: 'opid muted' }, [o.op.operationId]),
      ]);
      section.appendChild(el('details', { class: 'op' + (o.op.deprecated ? ' deprecated' : ''), id: o.op.operationId, 'data-operation-id': o.op.operationId }, [summary, body]));
    });
    root.appendChild(section);
  });
  var models = el('section', { id: 'models' }, [el('h2', {}, ['models'])]);
  Object.keys(doc.components.schemas).forEach(function (name) {
    var s = doc.components.schemas[name];
    var rows = Object.keys(s.properties || {}).map(function (k) {
      return el('tr', {}, [el('td', {}, [el('code', {}, [k])]), el('td', {}, [typeOf(s.properties[k])]), el('td', { class: 'muted' }, [s.properties[k].description || ''])]);
    });
    models.appendChild(el('details', { class: 'op', id: 'model-' + name }, [
      el('summary', {}, [el('code', {}, [name]), el('span', { class: 'muted' }, [s.description || (s.type === 'object' && !s.properties ? 'any JSON object' : '')])]),
      el('div', { class: 'op-body' }, rows.length ? [el('table', {}, rows)] : []),
    ]));
  });
  root.appendChild(models);
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** JSON inside `<script type="application/json">`: `<`, `>` and `&` escaped so the text can never close the element. */
function inlineJson(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function referencePage(documentJson: string, title: string): ReferencePage {
  const safeTitle = title.replace(/[<>&"]/g, '');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${safeTitle} reference</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${safeTitle}</h1>
<p class="muted"><span id="count"></span> &middot; <span id="version"></span> &middot; machine-readable: <a href="openapi.json">openapi.json</a></p>
<noscript><p>This page renders the OpenAPI document with a small inline script; without it, read <a href="openapi.json">openapi.json</a>.</p></noscript>
</header>
<main id="reference"></main>
<script type="application/json" id="openapi">${inlineJson(documentJson)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
