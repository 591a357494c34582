// kroniek web UI: search, document, timeline, entity and stats pages over the JSON API.
// No libraries, no build step. Every piece of data reaches the page through
// textContent or setAttribute on elements built here, never parsed as markup.
'use strict';

// ------------------------------------------------------------------ helpers

/** Builds an element: h('a', {href: '#/x', class: 'y'}, 'text', child, …). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') setStyle(el, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Sets inline styles through the CSSOM (`style` attributes are refused by the
 * Content-Security-Policy): setStyle(el, 'left: 3px; width: 10px').
 */
function setStyle(el, css) {
  for (const decl of String(css).split(';')) {
    const i = decl.indexOf(':');
    if (i > 0) el.style.setProperty(decl.slice(0, i).trim(), decl.slice(i + 1).trim());
  }
}

/** Only http(s) links from data become hrefs. */
function safeUrl(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (_) {
    return null;
  }
}

class ApiError extends Error {}

async function api(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && String(v).trim() !== '') qs.set(k, v);
  }
  const url = path + (qs.toString() ? '?' + qs : '');
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  let body;
  try {
    body = await res.json();
  } catch (_) {
    throw new ApiError(`${res.status} ${res.statusText}`);
  }
  if (!res.ok) throw new ApiError(body && body.error ? body.error : `${res.status}`);
  return body;
}

const app = () => document.getElementById('app');

/** Replaces the children of `el`, skipping null, undefined and false. */
function fill(el, ...nodes) {
  const kept = nodes.flat().filter((n) => n !== null && n !== undefined && n !== false);
  el.replaceChildren(...kept.map((n) => (n instanceof Node ? n : document.createTextNode(String(n)))));
}

function show(...nodes) {
  const main = app();
  fill(main, ...nodes);
}

function errorBox(e) {
  return h('p', { class: 'error' }, e instanceof Error ? e.message : String(e));
}

function link(route, params, ...children) {
  return h('a', { href: hashFor(route, params) }, ...children);
}

function hashFor(route, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && String(v) !== '') qs.set(k, v);
  }
  const s = qs.toString();
  return '#/' + route + (s ? '?' + s : '');
}

function meta(...parts) {
  return h('div', { class: 'meta' }, parts.filter(Boolean).map((p) => h('span', {}, p)));
}

const PRECISION_WORD = { day: 'day', month: 'month only', year: 'year only', unknown: 'unknown' };

/** A publication date at its true precision, with a badge when it is vague. */
function dateLabel(published, precision) {
  if (!published || published === 'unknown') return h('span', { class: 'date' }, 'date unknown');
  const el = h('span', { class: 'date' }, published);
  if (precision && precision !== 'day') {
    el.append(' ', h('span', { class: 'badge' }, PRECISION_WORD[precision] || precision));
  }
  return el;
}

let statsCache = null;
async function storeStats() {
  if (!statsCache) statsCache = await api('/api/stats');
  return statsCache;
}

// ------------------------------------------------------------------ tooltip

const tooltip = {
  el: null,
  show(ev, rows) {
    const t = (this.el = this.el || document.getElementById('tooltip'));
    fill(t, ...rows);
    t.hidden = false;
    this.move(ev);
  },
  move(ev) {
    const t = this.el;
    if (!t || t.hidden) return;
    const pad = 14;
    let x = ev.clientX + pad;
    let y = ev.clientY + pad;
    const r = t.getBoundingClientRect();
    if (x + r.width > window.innerWidth - 4) x = Math.max(4, ev.clientX - r.width - pad);
    if (y + r.height > window.innerHeight - 4) y = Math.max(4, ev.clientY - r.height - pad);
    t.style.left = x + 'px';
    t.style.top = y + 'px';
  },
  hide() {
    if (this.el) this.el.hidden = true;
  },
};

function attach(el, rowsFn) {
  el.addEventListener('mouseenter', (ev) => tooltip.show(ev, rowsFn()));
  el.addEventListener('mousemove', (ev) => tooltip.move(ev));
  el.addEventListener('mouseleave', () => tooltip.hide());
}

/** Tooltip rows for one annotation: layer, label, its normalised value and interval. */
function annotationRow(a) {
  const attrs = a.attrs || {};
  const row = h('div', { class: 'row' });
  row.append(h('span', { class: 'layer', style: `color: ${layerColour(a.layer || a.kind)}` }, a.layer || a.kind));
  if (a.label) row.append(' ', h('span', {}, a.label));
  if (a.text) row.append(h('div', {}, '“', a.text, '”'));
  const shown = new Set();
  if (attrs.value !== undefined) {
    row.append(h('div', {}, h('span', { class: 'k' }, 'value '), attrs.value, attrs.mod ? ` (${attrs.mod})` : ''));
    shown.add('value');
    shown.add('mod');
  }
  if (attrs.earliest || attrs.latest) {
    const iv = attrs.earliest === attrs.latest ? attrs.earliest : `${attrs.earliest || '?'} … ${attrs.latest || '?'}`;
    row.append(h('div', {}, h('span', { class: 'k' }, 'interval '), iv));
    shown.add('earliest');
    shown.add('latest');
  }
  const spans = a.attr_text || {};
  for (const [k, v] of Object.entries(attrs)) {
    if (shown.has(k)) continue;
    // Attributes that point at other text (an event's anchor or source) show that text.
    const shownValue = k in spans ? `“${spans[k]}”` : typeof v === 'string' ? v : JSON.stringify(v);
    row.append(h('div', {}, h('span', { class: 'k' }, k + ' '), shownValue));
  }
  if (a.layer === 'sentence') {
    row.append(h('div', { class: 'k' }, `bytes ${a.start}–${a.end}`));
  }
  return row;
}

const LAYER_COLOURS = {
  document: 'var(--c-document)', timex: 'var(--c-timex)', entity: 'var(--c-entity)', event: 'var(--c-event)',
  attribution: 'var(--c-attribution)', quantity: 'var(--c-quantity)', sentence: 'var(--c-sentence)',
};
function layerColour(layer) {
  return LAYER_COLOURS[layer] || 'var(--c-other)';
}
function layerClass(layer) {
  return LAYER_COLOURS[layer] ? layer : 'other';
}

// ------------------------------------------------------------------ search page

function filterForm(params, { withQuery = true, onSubmit }) {
  const langSel = h('select', { name: 'lang' }, h('option', { value: '' }, 'any language'));
  const srcSel = h('select', { name: 'source' }, h('option', { value: '' }, 'any source'));
  storeStats()
    .then((s) => {
      for (const l of Object.keys(s.languages || {})) {
        if (l !== 'unknown') langSel.append(h('option', { value: l }, `${l} (${s.languages[l]})`));
      }
      for (const src of s.sources || []) srcSel.append(h('option', { value: src.source }, `${src.source} (${src.documents})`));
      langSel.value = params.get('lang') || '';
      srcSel.value = params.get('source') || '';
    })
    .catch(() => {});
  const input = (name, label, placeholder, size) =>
    h('label', {}, label, h('input', { name, value: params.get(name) || '', placeholder, size }));
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    withQuery ? input('q', 'words', 'e.g. Nordstern, vastgelopen schip', 30) : null,
    h('label', {}, 'language', langSel),
    h('label', {}, 'source', srcSel),
    input('from', 'from', 'YYYY[-MM[-DD]]', 12),
    input('to', 'to', 'YYYY[-MM[-DD]]', 12),
    input('entity', 'mentions entity', 'name or key', 14),
    h('button', { type: 'submit' }, withQuery ? 'Search' : 'Draw'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    onSubmit(data);
  });
  return form;
}

function pager(total, limit, offset, hasMore, go, shown) {
  const prev = h('button', { class: 'plain', type: 'button', onclick: () => go(Math.max(0, offset - limit)) }, '← previous');
  const next = h('button', { class: 'plain', type: 'button', onclick: () => go(offset + limit) }, 'next →');
  prev.disabled = offset === 0;
  next.disabled = !hasMore;
  const where = total !== null ? `${total ? offset + 1 : 0}–${Math.min(offset + limit, total)} of ${total}` : shown ? `${offset + 1}–${offset + shown}${hasMore ? ' of more' : ''}` : 'none';
  return h('div', { class: 'pager' }, prev, h('span', { class: 'muted' }, where), next);
}

async function pageSearch(params) {
  const q = params.get('q') || '';
  const offset = Number(params.get('offset') || 0) || 0;
  const limit = 20;
  const filters = Object.fromEntries(['q', 'lang', 'source', 'from', 'to', 'entity'].map((k) => [k, params.get(k) || '']));
  const results = h('div', { id: 'results' }, h('p', { class: 'muted' }, 'Searching…'));
  const go = (o) => (location.hash = hashFor('search', { ...filters, offset: o || '' }));
  const timelineLink = link('timeline', filters, 'Show these on the timeline →');
  show(
    h('h1', {}, q ? `Search: ${q}` : filters.entity ? `Articles mentioning ${filters.entity}` : 'Articles'),
    filterForm(params, { onSubmit: (d) => (location.hash = hashFor('search', d)) }),
    h('p', {}, timelineLink),
    results,
  );
  try {
    let list;
    if (q) {
      const r = await api('/api/search', { ...filters, limit, offset });
      list = r.results.map((hit) =>
        h(
          'li',
          {},
          h('div', { class: 'title' }, link('doc/' + hit.id, {}, hit.title || '(untitled)')),
          meta(hit.published, hit.source, hit.language, hit.id.slice(0, 8)),
          h('div', { class: 'snippet' }, hit.snippet),
        ),
      );
      fill(results,
        h('p', { class: 'muted' }, r.results.length ? '' : 'No article matches.'),
        h('ol', { class: 'results' }, list),
        pager(null, limit, offset, r.has_more, go, r.results.length),
      );
    } else {
      const r = await api('/api/documents', { lang: filters.lang, source: filters.source, from: filters.from, to: filters.to, entity: filters.entity, limit, offset, sort: '-date' });
      list = r.documents.map((d) =>
        h(
          'li',
          {},
          h('div', { class: 'title' }, link('doc/' + d.id, {}, d.title || '(untitled)')),
          h('div', { class: 'meta' }, h('span', {}, dateLabel(d.published, d.precision)), d.source ? h('span', {}, d.source) : null, d.language ? h('span', {}, d.language) : null, h('span', {}, d.id.slice(0, 8)), d.warnings.length ? h('span', {}, `${d.warnings.length} warning(s)`) : null),
        ),
      );
      fill(results,
        h('p', { class: 'muted' }, `${r.total} article(s) in the store, newest first.`),
        h('ol', { class: 'results' }, list),
        pager(r.total, limit, offset, offset + limit < r.total, go),
      );
    }
  } catch (e) {
    fill(results, errorBox(e));
  }
}

// ------------------------------------------------------------------ document page

/**
 * Splits `text` at every annotation boundary (byte offsets) and returns segments
 * {start, end, text, anns}, each covered by the same set of annotations.
 */
function segments(text, annotations) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const cuts = new Set([0, bytes.length]);
  for (const a of annotations) {
    if (a.start >= 0 && a.end <= bytes.length && a.start < a.end) {
      cuts.add(a.start);
      cuts.add(a.end);
    }
  }
  const points = [...cuts].sort((x, y) => x - y);
  // Annotations sorted by start; an active list is swept along the cut points.
  const sorted = annotations.filter((a) => a.start < a.end && a.end <= bytes.length).sort((x, y) => x.start - y.start || y.end - x.end);
  const out = [];
  let next = 0;
  let active = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const s = points[i];
    const e = points[i + 1];
    active = active.filter((a) => a.end > s);
    while (next < sorted.length && sorted[next].start <= s) {
      if (sorted[next].end > s) active.push(sorted[next]);
      next++;
    }
    out.push({ start: s, end: e, text: dec.decode(bytes.subarray(s, e)), anns: active.slice() });
  }
  return out;
}

async function pageDocument(id) {
  show(h('p', { class: 'muted' }, 'Loading…'));
  let d;
  try {
    d = await api('/api/documents/' + encodeURIComponent(id));
  } catch (e) {
    show(h('h1', {}, 'Document'), errorBox(e));
    return;
  }
  const layerNames = Object.keys(d.layers || {});
  const visible = new Set(layerNames.filter((l) => l !== 'sentence' || layerNames.length === 1));
  const body = h('article', { class: 'doc', lang: d.language || '' });
  const sentenceIndex = new Map();
  d.annotations.filter((a) => a.layer === 'sentence').forEach((a, i) => sentenceIndex.set(a, i));

  function render() {
    const anns = d.annotations.filter((a) => visible.has(a.layer));
    const nodes = segments(d.text, anns).map((seg) => {
      if (!seg.anns.length) return document.createTextNode(seg.text);
      const classes = ['seg', 'ann'];
      for (const a of seg.anns) {
        classes.push('l-' + layerClass(a.layer));
        if (a.layer === 'sentence' && sentenceIndex.get(a) % 2 === 1) classes.push('odd');
      }
      const el = h('span', { class: classes.join(' '), 'data-layers': [...new Set(seg.anns.map((a) => a.layer))].join(' ') }, seg.text);
      // Innermost annotations first: the shortest span is what the reader points at.
      const inner = seg.anns.slice().sort((x, y) => x.end - x.start - (y.end - y.start));
      attach(el, () => inner.map(annotationRow));
      return el;
    });
    fill(body, ...nodes);
  }

  const toggles = h(
    'div',
    { class: 'layers' },
    h('span', { class: 'muted' }, 'layers:'),
    layerNames.map((l) => {
      const box = h('input', { type: 'checkbox', 'data-layer': l });
      box.checked = visible.has(l);
      box.addEventListener('change', () => {
        if (box.checked) visible.add(l);
        else visible.delete(l);
        render();
      });
      return h('label', {}, box, h('span', { class: 'swatch', style: `background: ${layerColour(l)}` }), `${l} (${d.layers[l]})`);
    }),
  );
  if (!layerNames.length) toggles.append(h('span', { class: 'muted' }, 'none'));

  const url = d.url && safeUrl(d.url);
  const header = h(
    'header',
    {},
    h('h1', {}, d.title || '(untitled)'),
    h(
      'div',
      { class: 'meta' },
      h('span', {}, dateLabel(d.published, d.precision)),
      d.pub_earliest && d.precision !== 'day' ? h('span', {}, `published between ${d.pub_earliest} and ${d.pub_latest}`) : null,
      d.source ? h('span', {}, link('search', { source: d.source }, d.source)) : null,
      d.language ? h('span', {}, 'language ' + d.language) : null,
      url ? h('span', {}, h('a', { href: url, rel: 'noopener noreferrer nofollow', target: '_blank' }, 'original')) : null,
      h('span', {}, d.id),
    ),
    (d.warnings || []).map((w) => h('div', { class: 'warning' }, '⚠ ', w)),
    d.origin ? h('div', { class: 'meta' }, 'from ', d.origin) : null,
  );

  const table = h('div', {});
  const listLayers = layerNames.filter((l) => l !== 'sentence');
  for (const l of listLayers) {
    const rows = d.annotations.filter((a) => a.layer === l);
    table.append(
      h('h2', {}, link('layer/' + encodeURIComponent(l), {}, l), ` (${rows.length})`),
      h(
        'table',
        { class: 'list' },
        h('tr', {}, h('th', {}, 'text'), h('th', {}, 'label'), h('th', {}, 'attributes'), h('th', {}, 'bytes')),
        rows.map((a) =>
          h(
            'tr',
            {},
            h(
              'td',
              {},
              a.attrs && a.attrs.key ? link('layer/' + encodeURIComponent(l), { q: a.attrs.key }, a.text) : a.text,
              l === 'entity' && a.entity_id !== undefined
                ? h('span', { class: 'muted' }, ' · ', h('a', { href: '#/entity/' + a.entity_id, class: 'entity-link' }, 'entity page'))
                : null,
              l === 'entity' && a.attrs && a.attrs.key
                ? h('span', { class: 'muted' }, ' · ', link('search', { entity: a.attrs.key }, 'articles'), ' · ', link('timeline', { entity: a.attrs.key }, 'timeline'))
                : null,
            ),
            h('td', {}, a.label ? link('layer/' + encodeURIComponent(l), { label: a.label }, a.label) : ''),
            h('td', {}, Object.entries(a.attrs || {}).map(([k, v]) => (a.attr_text && k in a.attr_text ? `${k}=“${a.attr_text[k]}”` : `${k}=${v}`)).join('  ')),
            h('td', { class: 'muted' }, `${a.start}–${a.end}`),
          ),
        ),
      ),
    );
  }
  render();
  show(header, toggles, body, table);
}

// ------------------------------------------------------------------ timeline page

const DAY = 86400000;
function dayMs(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
}
function fmtDay(t) {
  return new Date(t).toISOString().slice(0, 10);
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Tick marks for the visible span: years, months or days, whichever fits. */
function ticks(t0, t1, width) {
  const pxPerDay = (width / (t1 - t0)) * DAY;
  const out = [];
  const start = new Date(t0);
  if (pxPerDay * 365 < 60) {
    const step = pxPerDay * 365 * 5 >= 60 ? 5 : pxPerDay * 365 * 10 >= 60 ? 10 : 50;
    let y = Math.floor(start.getUTCFullYear() / step) * step;
    for (; Date.UTC(y, 0, 1) <= t1; y += step) out.push({ t: Date.UTC(y, 0, 1), label: String(y), major: true });
  } else if (pxPerDay * 30 < 44) {
    for (let y = start.getUTCFullYear(); Date.UTC(y, 0, 1) <= t1; y++) {
      out.push({ t: Date.UTC(y, 0, 1), label: String(y), major: true });
      if (pxPerDay * 90 >= 40) for (const m of [3, 6, 9]) out.push({ t: Date.UTC(y, m, 1), label: MONTHS[m], major: false });
    }
  } else if (pxPerDay < 22) {
    for (let y = start.getUTCFullYear(), m = start.getUTCMonth(); Date.UTC(y, m, 1) <= t1; m++) {
      if (m > 11) {
        m = 0;
        y++;
      }
      out.push({ t: Date.UTC(y, m, 1), label: m === 0 ? `${MONTHS[m]} ${y}` : MONTHS[m], major: true });
      if (pxPerDay * 7 >= 30) for (const d of [8, 15, 22]) out.push({ t: Date.UTC(y, m, d), label: String(d), major: false });
    }
  } else {
    for (let t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); t <= t1; t += DAY) {
      const d = new Date(t);
      const first = d.getUTCDate() === 1;
      out.push({ t, label: first || out.length === 0 ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` : String(d.getUTCDate()), major: true });
    }
  }
  return out.filter((k) => k.t >= t0 - DAY * 400 && k.t <= t1);
}

/**
 * A zoomable, pannable time axis with one band per kind of item. Items are
 * {kind, earliest, latest, label, …}; an item known only as a range is drawn as a range.
 * Event records (kind "event", with attrs.certainty and attrs.sources) draw the same way.
 */
function Timeline(container, items, onSelect) {
  const BAND_ORDER = ['event', 'document', 'timex'];
  const kinds = [...new Set(items.map((i) => i.kind))].sort((a, b) => {
    const ia = BAND_ORDER.indexOf(a);
    const ib = BAND_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  for (const it of items) {
    it.t0 = dayMs(it.earliest);
    it.t1 = dayMs(it.latest) + DAY;
  }
  let lo = Math.min(...items.map((i) => i.t0));
  let hi = Math.max(...items.map((i) => i.t1));
  const pad = Math.max((hi - lo) * 0.04, 2 * DAY);
  const full = [lo - pad, hi + pad];
  let view = full.slice();
  let selected = null;
  const el = h('div', { class: 'tl', tabindex: '0', 'aria-label': 'timeline' });
  fill(container, el);
  const ROW = 22;
  const MAX_LANES = 14;

  function draw() {
    const width = el.clientWidth || 1000;
    const [t0, t1] = view;
    const x = (t) => ((t - t0) / (t1 - t0)) * width;
    const axis = h('div', { class: 'tl-axis' });
    const tks = ticks(t0, t1, width);
    const pxPerDay = (width / (t1 - t0)) * DAY;
    const mid = new Date((t0 + t1) / 2);
    const context = pxPerDay >= 22 ? `${MONTHS[mid.getUTCMonth()]} ${mid.getUTCFullYear()}` : pxPerDay * 30 >= 44 ? String(mid.getUTCFullYear()) : '';
    if (context) axis.append(h('div', { class: 'tl-axis-context' }, context));
    for (const k of tks) {
      axis.append(h('div', { class: 'tl-tick ' + (k.major ? 'major' : 'minor'), style: `left:${x(k.t).toFixed(1)}px` }, k.label));
    }
    const bands = kinds.map((kind) => {
      const band = h('div', { class: 'tl-band', 'data-kind': kind });
      band.append(h('div', { class: 'tl-band-name' }, kind === 'timex' ? 'time expressions' : kind === 'document' ? 'articles' : kind + 's'));
      for (const k of tks) if (k.major) band.append(h('div', { class: 'tl-grid', style: `left:${x(k.t).toFixed(1)}px` }));
      const visible = items.filter((i) => i.kind === kind && i.t1 >= t0 && i.t0 <= t1).sort((a, b) => a.t0 - b.t0 || b.t1 - a.t1);
      const laneEnds = [];
      let hidden = 0;
      for (const it of visible) {
        // Clamp to the visible area so that the label of a long range stays in view.
        const left = Math.max(x(it.t0), -2);
        const w = Math.max(Math.min(x(it.t1), width + 2) - left, 8);
        const label = it.merged ? `${it.label}: ${it.text} · ${it.sourceCount} src` : kind === 'document' ? it.label : kind === 'event' && it.label ? `${it.label}: ${it.text}` : it.text || it.label;
        let lane = laneEnds.findIndex((end) => end + 3 <= left);
        if (lane < 0) {
          if (laneEnds.length >= MAX_LANES) {
            hidden++;
            continue;
          }
          lane = laneEnds.length;
          laneEnds.push(0);
        }
        const labelRoom = Math.min(Math.max(w, (label || '').length * 6 + 10), 260);
        laneEnds[lane] = left + Math.max(w, Math.min(labelRoom, w < 40 ? w : labelRoom));
        const at = it.attrs || {};
        let cert = at.certainty ? ' cert-' + at.certainty : '';
        if (at.polarity === 'negative') cert += ' neg';
        if (it.contradicted) cert += ' contradicted';
        if (it.range) cert += ' range';
        if (it.anchor && it.anchor.kind === 'before-publication') cert += ' open-start';
        if (it.anchor && it.anchor.kind === 'after-publication') cert += ' open-end';
        const point = it.t1 - it.t0 <= DAY && w <= 12 ? ' point' : '';
        const node = h(
          'div',
          {
            class: `tl-item k-${layerClass(kind)}${cert}${point}${it === selected ? ' selected' : ''}`,
            style: `left:${left.toFixed(1)}px; width:${w.toFixed(1)}px; top:${18 + lane * ROW}px`,
            'data-kind': kind,
            'data-doc': it.doc,
            'data-id': it.id,
            'data-type': it.merged ? it.label : null,
            'data-certainty': it.merged ? (it.contradicted ? 'contradicted' : at.certainty) : null,
          },
          w >= 40 ? label : '',
        );
        node.addEventListener('click', (ev) => {
          ev.stopPropagation();
          selected = it;
          onSelect(it);
          draw();
        });
        attach(node, () => [itemRow(it)]);
        band.append(node);
      }
      band.style.height = 18 + Math.max(1, laneEnds.length) * ROW + (hidden ? 20 : 6) + 'px';
      if (hidden) band.append(h('div', { class: 'tl-more' }, `+${hidden} more here: zoom in or narrow the search`));
      return band;
    });
    fill(el, axis, ...bands);
  }

  function zoom(factor, atX) {
    const width = el.clientWidth || 1000;
    const [t0, t1] = view;
    const at = t0 + (atX / width) * (t1 - t0);
    let span = (t1 - t0) * factor;
    span = Math.min(Math.max(span, 3 * DAY), 400 * 365 * DAY);
    const f = (at - t0) / (t1 - t0);
    view = [at - f * span, at - f * span + span];
    draw();
  }
  el.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const r = el.getBoundingClientRect();
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, ev.clientX - r.left);
    },
    { passive: false },
  );
  let drag = null;
  el.addEventListener('pointerdown', (ev) => {
    if (ev.target.closest('.tl-item')) return;
    drag = { x: ev.clientX, view: view.slice() };
    el.classList.add('dragging');
    el.setPointerCapture(ev.pointerId);
  });
  el.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const width = el.clientWidth || 1000;
    const dt = ((ev.clientX - drag.x) / width) * (drag.view[1] - drag.view[0]);
    view = [drag.view[0] - dt, drag.view[1] - dt];
    draw();
  });
  const end = () => {
    drag = null;
    el.classList.remove('dragging');
  };
  el.addEventListener('pointerup', end);
  el.addEventListener('pointercancel', end);
  el.addEventListener('keydown', (ev) => {
    const width = el.clientWidth || 1000;
    const span = view[1] - view[0];
    if (ev.key === '+' || ev.key === '=') zoom(0.8, width / 2);
    else if (ev.key === '-') zoom(1.25, width / 2);
    else if (ev.key === 'ArrowLeft') (view = [view[0] - span * 0.1, view[1] - span * 0.1]), draw();
    else if (ev.key === 'ArrowRight') (view = [view[0] + span * 0.1, view[1] + span * 0.1]), draw();
  });
  // Pages are replaced wholesale on navigation, so a timeline left behind must drop its
  // listener, or every visit would add one more redraw of a detached axis per resize.
  const onResize = () => (el.isConnected ? draw() : window.removeEventListener('resize', onResize));
  window.addEventListener('resize', onResize);
  draw();
  // Buttons zoom around the middle, and bring the selected item (if any) to it.
  const zoomCentred = (factor) => {
    if (selected) {
      const span = view[1] - view[0];
      const c = (selected.t0 + selected.t1) / 2;
      view = [c - span / 2, c + span / 2];
    }
    zoom(factor, (el.clientWidth || 1000) / 2);
  };
  return {
    zoomIn: () => zoomCentred(0.5),
    zoomOut: () => zoomCentred(2),
    fit: () => {
      view = full.slice();
      draw();
    },
    view: () => view.map(fmtDay),
  };
}

function itemRow(it) {
  if (it.merged) {
    return h(
      'div',
      { class: 'row' },
      h('span', { class: 'layer', style: `color: ${layerColour('event')}` }, 'event'),
      h('div', {}, `${it.label}: ${it.text}`),
      h('div', {}, h('span', { class: 'k' }, 'when '), it.date),
      h('div', {}, h('span', { class: 'k' }, 'certainty '), certaintyWord(it.ev)),
      h('div', {}, h('span', { class: 'k' }, 'sources '), `${it.sourceCount} (${it.ev.articles} article${it.ev.articles === 1 ? '' : 's'})`),
    );
  }
  if (it.kind === 'document') {
    return h('div', { class: 'row' }, h('span', { class: 'layer', style: `color: ${layerColour('document')}` }, 'article'), h('div', {}, it.label), h('div', {}, h('span', { class: 'k' }, 'published '), it.published, it.source ? ` · ${it.source}` : ''));
  }
  const row = annotationRow({ layer: it.kind, label: it.label, text: it.text, attrs: it.attrs || { earliest: it.earliest, latest: it.latest }, attr_text: it.attr_text });
  if (it.anchor && it.anchor.kind) {
    row.append(h('div', {}, h('span', { class: 'k' }, 'placed by '), it.anchor.text ? `“${it.anchor.text}” ${it.earliest === it.latest ? it.earliest : it.earliest + ' … ' + it.latest}` : it.anchor.kind.replace('-', ' ')));
  }
  row.append(h('div', { class: 'k' }, 'in ', it.title || it.doc));
  return row;
}

/** A sentence with the span [start, end) (byte offsets) marked. */
function contextNode(ctx, kind) {
  const bytes = new TextEncoder().encode(ctx.text);
  const dec = new TextDecoder();
  return h(
    'div',
    { class: 'context' },
    dec.decode(bytes.subarray(0, ctx.start)),
    h('mark', { class: 'k-' + layerClass(kind) }, dec.decode(bytes.subarray(ctx.start, ctx.end))),
    dec.decode(bytes.subarray(ctx.end)),
  );
}

function detailOf(it) {
  if (it.kind === 'document') {
    return [
      h('div', { class: 'title' }, link('doc/' + it.doc, {}, it.label)),
      h('div', { class: 'meta' }, h('span', {}, dateLabel(it.published, it.precision)), it.source ? h('span', {}, it.source) : null, h('span', {}, it.earliest === it.latest ? it.earliest : `somewhere in ${it.earliest} … ${it.latest}`)),
    ];
  }
  const attrs = it.attrs || {};
  const parts = [
    h('div', {}, h('strong', {}, it.kind === 'timex' ? 'Time expression ' : it.kind === 'event' ? 'Event ' : it.kind + ' '), '“', it.text, '”', it.label ? ` (${it.label})` : ''),
    h(
      'div',
      { class: 'meta' },
      attrs.value ? h('span', {}, 'value ' + attrs.value) : null,
      h('span', {}, it.earliest === it.latest ? it.earliest : `${it.earliest} … ${it.latest}`),
      attrs.certainty ? h('span', {}, 'certainty ' + attrs.certainty) : null,
      attrs.polarity ? h('span', {}, 'polarity ' + attrs.polarity) : null,
      attrs.sources ? h('span', {}, attrs.sources + ' source(s)') : null,
      it.attr_text && it.attr_text.source ? h('span', {}, `according to “${it.attr_text.source}”`) : null,
    ),
  ];
  if (it.anchor && it.anchor.kind) {
    parts.push(
      h('div', { class: 'meta' }, it.anchor.text ? `Placed by the time expression “${it.anchor.text}”.` : `No time expression: placed at the publication date (${it.anchor.kind.replace('-', ' ')}).`),
    );
  }
  if (it.context) parts.push(contextNode(it.context, it.kind));
  parts.push(h('div', { class: 'meta' }, 'in ', link('doc/' + it.doc, {}, it.title || it.doc), ` · ${it.published}`, it.source ? ` · ${it.source}` : ''));
  return parts;
}

async function pageTimeline(params) {
  const filters = Object.fromEntries(['q', 'lang', 'source', 'from', 'to', 'entity', 'entity_id', 'min_sources'].map((k) => [k, params.get(k) || '']));
  const { area, detail } = timelineParts();
  const what = [filters.q, filters.entity ? `mentions of ${filters.entity}` : '', filters.entity_id ? `entity #${filters.entity_id}` : ''].filter(Boolean).join(' · ');
  const title = h('h1', {}, what ? `Timeline: ${what}` : 'Timeline');
  show(
    title,
    filters.q ? h('p', { class: 'muted' }, link('topic', { q: filters.q }, `Topic timeline of “${filters.q}”: the days most reported on →`)) : null,
    filterForm(params, { onSubmit: (d) => (location.hash = hashFor('timeline', { ...d, entity_id: filters.entity_id })) }),
    area,
    detail,
  );
  if (filters.entity_id) {
    // Name the entity and link to its page.
    api('/api/entities/' + encodeURIComponent(filters.entity_id), { limit: 1 })
      .then((e) => {
        const rest = [filters.q, filters.entity ? `mentions of ${filters.entity}` : ''].filter(Boolean).join(' · ');
        fill(title, 'Timeline: ', h('a', { href: '#/entity/' + e.id }, e.name), rest ? ' · ' + rest : '');
      })
      .catch(() => {});
  }
  await drawTimeline(area, detail, filters);
}

/** The timeline's drawing area and its detail panel, empty. */
function timelineParts() {
  const area = h('div', { id: 'timeline' }, h('p', { class: 'muted' }, 'Loading…'));
  const detail = h('div', { class: 'tl-detail', id: 'tl-detail' }, h('span', { class: 'muted' }, 'Click an item to see where it comes from.'));
  return { area, detail };
}

/** How sure the articles are of a merged event, in words. */
function certaintyWord(ev) {
  if (ev.contradicted) return 'contradicted (asserted and denied)';
  return { CERTAIN: 'certain', PROBABLE: 'probable', POSSIBLE: 'possible', UNDERSPECIFIED: 'possible', DENIED: 'denied' }[ev.certainty] || String(ev.certainty).toLowerCase();
}

/** A merged event (from /api/timeline) as a timeline item. */
function eventItem(ev) {
  const cert = ev.certainty === 'UNDERSPECIFIED' ? 'possible' : String(ev.certainty).toLowerCase();
  return {
    kind: 'event',
    merged: true,
    ev,
    id: ev.id,
    earliest: ev.earliest,
    latest: ev.latest,
    date: ev.date,
    range: ev.range,
    label: ev.type,
    text: ev.lemma,
    sourceCount: ev.source_count,
    contradicted: ev.contradicted,
    attrs: { certainty: cert, polarity: ev.certainty === 'DENIED' ? 'negative' : null },
  };
}

/** A mention's sentence with its trigger marked (offsets are bytes within the sentence). */
function mentionNode(m) {
  const who = m.source ? `according to ${m.source}` : m.outlet || '';
  const cert = m.polarity === 'NEG' ? 'denied' : { CERTAIN: 'certain', PROBABLE: 'probable' }[m.certainty] || 'possible';
  const ctx = contextNode({ text: m.sentence, start: m.trigger[0], end: m.trigger[1] }, 'event');
  ctx.querySelector('mark').classList.add('trigger');
  return h(
    'li',
    { class: 'mention cert-' + cert },
    h('span', { class: 'cert-badge cert-' + cert }, cert),
    ctx,
    h(
      'div',
      { class: 'meta' },
      who ? h('span', {}, who) : null,
      h('span', {}, link('doc/' + m.doc, {}, m.title || m.doc)),
      h('span', {}, 'published ' + m.published),
      h('span', {}, (m.dated ? 'dated ' : 'undated, placed at ') + m.when),
    ),
  );
}

/** The detail panel of a merged event: what, when, how sure, and every mention. */
async function showEvent(detail, it) {
  fill(detail, h('p', { class: 'muted' }, 'Loading…'));
  let ev;
  try {
    ev = await api('/api/events/' + encodeURIComponent(it.id), { limit: 100 });
  } catch (e) {
    fill(detail, errorBox(e));
    return;
  }
  fill(
    detail,
    h('div', { class: 'title' }, h('strong', {}, 'Event '), `${ev.type}: “${ev.lemma}”`),
    h(
      'div',
      { class: 'meta' },
      h('span', {}, ev.date),
      h('span', { class: 'cert-badge cert-' + (ev.contradicted ? 'contradicted' : it.attrs.certainty) }, certaintyWord(ev)),
      h('span', {}, `${ev.articles} article${ev.articles === 1 ? '' : 's'}`),
      h('span', {}, `${ev.source_count} source${ev.source_count === 1 ? '' : 's'}: ${ev.sources.join(', ')}`),
      ev.entities.length ? h('span', {}, 'with ' + ev.entities.join(', ')) : null,
      ev.dated ? null : h('span', {}, 'no article dates it: placed at publication'),
    ),
    h('h3', {}, `Mentions (${ev.mention_count})`),
    h('ol', { class: 'mentions', id: 'event-mentions' }, ev.mentions.map(mentionNode)),
    ev.has_more ? h('p', { class: 'muted' }, `Only the first ${ev.limit} mentions are shown.`) : null,
  );
}

/**
 * Fetches merged events (/api/timeline) and articles with their time expressions
 * (/api/timeline/documents) for `filters` and draws them into `area`, details into `detail`.
 */
async function drawTimeline(area, detail, filters) {
  const evParams = { q: filters.q, lang: filters.lang, source: filters.source, from: filters.from, to: filters.to, entity: filters.entity, entity_id: filters.entity_id, min_sources: filters.min_sources, limit: 300 };
  const [evRes, docRes] = await Promise.allSettled([
    api('/api/timeline', evParams),
    api('/api/timeline/documents', { ...filters, min_sources: '', layer: 'timex', limit: 200 }),
  ]);
  if (evRes.status === 'rejected' && docRes.status === 'rejected') {
    fill(area, errorBox(docRes.reason));
    return;
  }
  const items = [];
  const notes = [];
  let events = 0;
  if (evRes.status === 'fulfilled') {
    for (const ev of evRes.value.events) {
      const it = eventItem(ev);
      items.push(it);
      events++;
    }
    if (evRes.value.has_more) notes.push(`Only the first ${evRes.value.limit} events are drawn; narrow the filters (dates, minimum sources) to see others.`);
  } else {
    notes.push('Events: ' + evRes.reason.message + '.');
  }
  let undated = 0;
  let docs = 0;
  const kinds = {};
  if (docRes.status === 'fulfilled') {
    const r = docRes.value;
    for (const d of r.documents) {
      if (!d.pub_earliest) {
        undated++;
        continue;
      }
      docs++;
      items.push({ kind: 'document', doc: d.id, label: d.title || '(untitled)', title: d.title, source: d.source, published: d.published, precision: d.precision, earliest: d.pub_earliest, latest: d.pub_latest });
    }
    for (const it of r.items) {
      items.push(it);
      kinds[it.kind] = (kinds[it.kind] || 0) + 1;
    }
    if (undated) notes.push(`${undated} article(s) without a publication date are not drawn.`);
    if (r.has_more) notes.push('Only the first ' + r.limit + ' matching articles are drawn.');
    if (r.items_truncated) notes.push('Only the first dated annotations are drawn.');
  }
  const usable = items.filter((i) => !isNaN(dayMs(i.earliest)) && !isNaN(dayMs(i.latest)));
  if (!usable.length) {
    fill(area, h('p', { class: 'muted' }, 'Nothing dated to draw.'), notes.length ? h('p', { class: 'muted' }, notes.join(' ')) : null);
    return;
  }
  const holder = h('div', {});
  const swatch = (cls, text) => h('span', {}, h('span', { class: 'swatch ' + cls }), ' ' + text);
  const legend = h(
    'div',
    { class: 'tl-legend' },
    swatch('k-event', `events (${events})`),
    swatch('k-event cert-probable', 'probable'),
    swatch('k-event cert-possible', 'possible'),
    swatch('k-event cert-denied', 'denied'),
    swatch('k-event contradicted', 'contradicted'),
    h('span', {}, h('span', { class: 'swatch', style: `background: ${layerColour('document')}` }), ` articles (${docs})`),
    Object.entries(kinds).map(([k, n]) => h('span', {}, h('span', { class: 'swatch', style: `background: ${layerColour(k)}` }), ` ${k === 'timex' ? 'time expressions' : k + 's'} (${n})`)),
  );
  const zin = h('button', { class: 'plain', type: 'button', title: 'zoom in (+)' }, '+');
  const zout = h('button', { class: 'plain', type: 'button', title: 'zoom out (−)' }, '−');
  const fit = h('button', { class: 'plain', type: 'button' }, 'fit');
  // Only events told by at least this many independent sources.
  const minSources = h('select', { name: 'min_sources', title: 'independent sources per event' }, ['', '2', '3', '5'].map((n) => h('option', { value: n }, n ? `≥ ${n} sources` : 'any sources')));
  minSources.value = filters.min_sources || '';
  minSources.addEventListener('change', () => {
    const [path, qs] = location.hash.replace(/^#\/?/, '').split('?');
    const params = new URLSearchParams(qs || '');
    if (minSources.value) params.set('min_sources', minSources.value);
    else params.delete('min_sources');
    location.hash = hashFor(path.startsWith('entity/') ? 'timeline' : path, Object.fromEntries(path.startsWith('entity/') ? [['entity_id', path.split('/')[1]], ['min_sources', minSources.value]] : params));
  });
  if (events) notes.unshift('Events are merged across articles and languages; a bar with end caps is an event known only as a range; “n src” counts independent sources. Click one for its mentions.');
  fill(area, h('div', { class: 'tl-toolbar' }, zin, zout, fit, minSources, h('span', { class: 'muted' }, 'scroll to zoom, drag to pan'), legend), holder, h('p', { class: 'muted', id: 'tl-notes' }, notes.join(' ')));
  const tl = Timeline(holder, usable, (it) => (it.merged ? showEvent(detail, it) : fill(detail, ...detailOf(it))));
  zin.addEventListener('click', tl.zoomIn);
  zout.addEventListener('click', tl.zoomOut);
  fit.addEventListener('click', tl.fit);
}

// ------------------------------------------------------------------ topic page

/** A topic timeline: the days the matching articles refer to most, with their sentences. */
async function pageTopic(params) {
  const q = params.get('q') || '';
  const maxDates = params.get('max_dates') || '10';
  const input = h('input', { name: 'q', value: q, placeholder: 'e.g. Nordstern, Kesselkanaal' });
  const dates = h('input', { name: 'max_dates', value: maxDates, type: 'number', min: '1', max: '100' });
  const form = h('form', { class: 'filters' }, h('label', {}, 'topic', input), h('label', {}, 'dates', dates), h('button', { type: 'submit' }, 'Summarise'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = hashFor('topic', { q: input.value.trim(), max_dates: dates.value });
  });
  const results = h('div', { id: 'topic-results' });
  show(h('h1', {}, q ? `Topic timeline: ${q}` : 'Topic timeline'), form, results);
  if (!q) {
    fill(results, h('p', { class: 'muted' }, 'The days the matching articles refer to most, each with its most representative sentence.'));
    return;
  }
  fill(results, h('p', { class: 'muted' }, 'Loading…'));
  let r;
  try {
    r = await api('/api/topic', { q, max_dates: maxDates, sentences_per_date: 2 });
  } catch (e) {
    fill(results, errorBox(e));
    return;
  }
  if (!r.dates.length) {
    fill(results, h('p', { class: 'muted' }, 'No dated sentences found for this topic.'));
    return;
  }
  fill(
    results,
    h(
      'ol',
      { class: 'topic' },
      r.dates.map((d) => h('li', {}, h('div', { class: 'title' }, d.date, h('span', { class: 'muted' }, ` · score ${d.score} (articles referring to it, weighted)`)), d.sentences.map((x) => h('div', { class: 'context' }, x)))),
    ),
    h('p', {}, link('timeline', { q }, 'Events and articles on the timeline →')),
  );
}

// ------------------------------------------------------------------ conflicts page

const BOUND_WORD = { about: 'about ', at_most: 'up to ', at_least: 'at least ' };

/** A sentence with the first occurrence of `part` marked (all as text). */
function markedSentence(sentence, part) {
  const i = part ? sentence.indexOf(part) : -1;
  if (i < 0) return h('div', { class: 'context' }, sentence);
  return h('div', { class: 'context' }, sentence.slice(0, i), h('mark', { class: 'claim-text' }, part), sentence.slice(i + part.length));
}

/** Numeric claims side by side per subject and property; conflicts first, never averaged. */
async function pageConflicts(params) {
  const entityId = params.get('entity_id') || '';
  const all = params.get('all') === '1';
  const offset = Number(params.get('offset') || 0) || 0;
  const limit = 20;
  const title = h('h1', {}, all ? 'Claims' : 'Conflicts');
  const results = h('div', { id: 'conflict-results' }, h('p', { class: 'muted' }, 'Loading…'));
  show(
    title,
    h(
      'p',
      { class: 'muted' },
      'Numbers reported about the same subject and property, side by side with who says so and when. Values are never averaged: a conflict means the sources disagree by more than rounding. ',
      all ? link('conflicts', { entity_id: entityId }, 'only conflicts') : link('conflicts', { entity_id: entityId, all: 1 }, 'all claims'),
    ),
    results,
  );
  let r;
  try {
    r = await api('/api/claims', { entity_id: entityId, conflicts: all ? '' : 'true', limit, offset });
  } catch (e) {
    fill(results, errorBox(e));
    return;
  }
  if (entityId && r.groups.length) fill(title, all ? 'Claims about ' : 'Conflicts about ', h('a', { href: '#/entity/' + entityId }, r.groups[0].subject.name));
  if (!r.groups.length) {
    fill(results, h('p', { class: 'muted' }, all ? 'No numeric claims found.' : 'No conflicting claims found.'));
    return;
  }
  fill(
    results,
    r.groups.map((g) =>
      h(
        'section',
        { class: 'claim-group' + (g.conflict ? ' conflict' : '') },
        h('h2', {}, h('a', { href: '#/entity/' + g.subject.id }, g.subject.name), ' · ', g.property, g.conflict ? h('span', { class: 'badge conflict' }, 'conflict') : null),
        h(
          'div',
          { class: 'claims-side' },
          g.claims.map((c) =>
            h(
              'div',
              { class: 'claim' },
              h('div', { class: 'value' }, (BOUND_WORD[c.bound] || '') + Number(c.value).toLocaleString('en'), ' ', h('span', { class: 'unit' }, c.unit)),
              h('div', { class: 'who' }, 'according to ', c.source || c.outlet || 'an article'),
              h('div', { class: 'meta' }, h('span', {}, 'for ' + c.when), c.outlet ? h('span', {}, c.outlet) : null, h('span', {}, c.published)),
              markedSentence(c.sentence, c.text),
              h('div', { class: 'meta' }, link('doc/' + c.doc, {}, 'open article')),
            ),
          ),
        ),
        g.claim_count > g.claims.length ? h('p', { class: 'muted' }, `${g.claim_count - g.claims.length} more claims not shown.`) : null,
      ),
    ),
    h('p', {}, pager(null, limit, offset, r.has_more, (o) => (location.hash = hashFor('conflicts', { entity_id: entityId, all: all ? 1 : '', offset: o || '' })), r.groups.length)),
  );
}

// ------------------------------------------------------------------ layer page

/** One layer across documents: all time expressions, all mentions of an entity, … */
async function pageLayer(layer, params) {
  const q = params.get('q') || '';
  const label = params.get('label') || '';
  const offset = Number(params.get('offset') || 0) || 0;
  const limit = 50;
  const results = h('div', { id: 'layer-results' }, h('p', { class: 'muted' }, 'Loading…'));
  const qInput = h('input', { name: 'q', value: q, placeholder: 'text or value contains', size: 24 });
  const labelInput = h('input', { name: 'label', value: label, placeholder: 'exact label', size: 12 });
  const form = h('form', { class: 'filters' }, h('label', {}, 'text', qInput), h('label', {}, 'label', labelInput), h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = hashFor('layer/' + encodeURIComponent(layer), { q: qInput.value, label: labelInput.value });
  });
  show(h('h1', {}, h('span', { class: 'swatch', style: `background: ${layerColour(layer)}` }), ' ', layer === 'timex' ? 'Time expressions' : `Layer: ${layer}`), form, results);
  try {
    const r = await api('/api/layers/' + encodeURIComponent(layer), { q, label, limit, offset });
    const rows = r.annotations.map((a) =>
      h(
        'tr',
        {},
        h('td', {}, a.text),
        h('td', {}, a.label ? link('layer/' + encodeURIComponent(layer), { label: a.label }, a.label) : ''),
        h('td', {}, Object.entries(a.attrs || {}).map(([k, v]) => `${k}=${v}`).join('  ')),
        h('td', {}, link('doc/' + a.doc, {}, a.title || a.doc.slice(0, 8))),
        h('td', { class: 'muted' }, a.published),
      ),
    );
    fill(
      results,
      h('p', { class: 'muted' }, `${r.total} annotation(s).`),
      r.total ? h('table', { class: 'list' }, h('tr', {}, ['text', 'label', 'attributes', 'article', 'published'].map((t) => h('th', {}, t))), rows) : null,
      h('p', {}, pager(r.total, limit, offset, offset + limit < r.total, (o) => (location.hash = hashFor('layer/' + encodeURIComponent(layer), { q, label, offset: o || '' })))),
    );
  } catch (e) {
    fill(results, errorBox(e));
  }
}

// ------------------------------------------------------------------ entity pages

const ENTITY_TYPE_WORD = { PER: 'person', ORG: 'organisation', LOC: 'place', MISC: 'other' };

function entityTypeBadge(t) {
  return h('span', { class: 'badge' }, ENTITY_TYPE_WORD[t] ? `${ENTITY_TYPE_WORD[t]} (${t})` : t);
}

function dateSpan(first, last) {
  if (!first && !last) return 'dates unknown';
  return first === last ? first : `${first || '?'} … ${last || '?'}`;
}

/** Entities merged across articles, most mentioned first, searchable by name. */
async function pageEntities(params) {
  const q = params.get('q') || '';
  const type = params.get('type') || '';
  const offset = Number(params.get('offset') || 0) || 0;
  const limit = 50;
  const qInput = h('input', { name: 'q', value: q, placeholder: 'name, any form of it, or an alias', size: 30 });
  const typeSel = h('select', { name: 'type' }, h('option', { value: '' }, 'any type'), Object.entries(ENTITY_TYPE_WORD).map(([k, w]) => h('option', { value: k }, `${w} (${k})`)));
  typeSel.value = type;
  const form = h('form', { class: 'filters', role: 'search' }, h('label', {}, 'name', qInput), h('label', {}, 'type', typeSel), h('button', { type: 'submit' }, 'Find'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = hashFor('entities', { q: qInput.value, type: typeSel.value });
  });
  const results = h('div', { id: 'entity-results' }, h('p', { class: 'muted' }, 'Loading…'));
  show(h('h1', {}, 'Entities'), form, results);
  try {
    const r = await api('/api/entities', { q, type, limit, offset });
    fill(
      results,
      h('p', { class: 'muted' }, `${r.total} entit${r.total === 1 ? 'y' : 'ies'}.`),
      r.total
        ? h(
            'table',
            { class: 'list' },
            h('tr', {}, ['name', 'type', 'mentions', 'articles', 'dates'].map((t) => h('th', {}, t))),
            r.entities.map((e) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: '#/entity/' + e.id }, e.name)),
                h('td', {}, entityTypeBadge(e.type)),
                h('td', {}, String(e.mentions)),
                h('td', {}, String(e.articles)),
                h('td', { class: 'muted' }, dateSpan(e.first, e.last)),
              ),
            ),
          )
        : null,
      h('p', {}, pager(r.total, limit, offset, offset + limit < r.total, (o) => (location.hash = hashFor('entities', { q, type, offset: o || '' })))),
    );
  } catch (e) {
    fill(results, errorBox(e));
  }
}

/** One entity: its names, counts, dates, who or what it appears with, its articles and timeline. */
async function pageEntity(id, params) {
  const offset = Number(params.get('offset') || 0) || 0;
  const limit = 20;
  show(h('p', { class: 'muted' }, 'Loading…'));
  let e;
  try {
    e = await api('/api/entities/' + encodeURIComponent(id), { limit, offset });
  } catch (err) {
    show(h('h1', {}, 'Entity'), errorBox(err));
    return;
  }
  document.title = 'kroniek · ' + e.name;
  const header = h(
    'header',
    {},
    h('h1', {}, e.name, ' ', entityTypeBadge(e.type)),
    h(
      'div',
      { class: 'meta' },
      h('span', {}, `${e.mentions} mention${e.mentions === 1 ? '' : 's'}`),
      h('span', {}, `${e.articles} article${e.articles === 1 ? '' : 's'}`),
      h('span', {}, dateSpan(e.first, e.last)),
      h('span', {}, '#' + e.id),
    ),
  );
  const names = h(
    'div',
    { id: 'entity-names' },
    h('h2', {}, 'Names seen'),
    h('ul', { class: 'names' }, e.names.map((n) => h('li', {}, n.name, h('span', { class: 'muted' }, ` ×${n.count}`)))),
    e.aliases.length ? h('p', {}, h('span', { class: 'muted' }, 'aliases: '), e.aliases.map((a) => `${a.alias} → ${a.name}`).join(', ')) : null,
  );
  const co = h(
    'div',
    { id: 'entity-cooccurring' },
    h('h2', {}, 'Appears with'),
    e.cooccurring.length
      ? h(
          'table',
          { class: 'list' },
          h('tr', {}, ['entity', 'type', 'shared articles'].map((t) => h('th', {}, t))),
          e.cooccurring.map((c) => h('tr', {}, h('td', {}, h('a', { href: '#/entity/' + c.id }, c.name)), h('td', {}, entityTypeBadge(c.type)), h('td', {}, String(c.articles)))),
        )
      : h('p', { class: 'muted' }, 'nothing else in its articles'),
  );
  const docs = h(
    'div',
    { id: 'entity-documents' },
    h('h2', {}, 'Articles'),
    h(
      'table',
      { class: 'list' },
      h('tr', {}, ['article', 'published', 'source', 'mentions'].map((t) => h('th', {}, t))),
      e.documents.map((d) =>
        h(
          'tr',
          {},
          h('td', {}, link('doc/' + d.id, {}, d.title || d.id)),
          h('td', {}, dateLabel(d.published, d.precision)),
          h('td', { class: 'muted' }, d.source || ''),
          h('td', {}, String(d.mentions)),
        ),
      ),
    ),
    h('p', {}, pager(e.articles, limit, offset, offset + limit < e.articles, (o) => (location.hash = hashFor('entity/' + e.id, { offset: o || '' })))),
  );
  const { area, detail } = timelineParts();
  show(
    header,
    h('div', { class: 'grid2' }, names, co),
    docs,
    h('h2', {}, 'Timeline ', h('span', { class: 'muted' }, link('timeline', { entity_id: e.id }, 'open full timeline'), ' · ', h('a', { href: hashFor('conflicts', { entity_id: e.id }), id: 'entity-conflicts' }, 'conflicting claims'))),
    area,
    detail,
  );
  await drawTimeline(area, detail, { entity_id: e.id });
}

// ------------------------------------------------------------------ stats page

function countTable(title, obj, linkFor) {
  const entries = Array.isArray(obj) ? obj : Object.entries(obj || {});
  return h(
    'div',
    {},
    h('h2', {}, title),
    entries.length
      ? h(
          'table',
          { class: 'list' },
          entries.map(([k, n]) => h('tr', {}, h('td', {}, linkFor ? linkFor(k) : k), h('td', {}, String(n)))),
        )
      : h('p', { class: 'muted' }, 'none'),
  );
}

async function pageStats() {
  show(h('p', { class: 'muted' }, 'Loading…'));
  try {
    statsCache = null;
    const s = await storeStats();
    const card = (n, label) => h('div', { class: 'card' }, h('div', { class: 'n' }, String(n)), h('div', { class: 'muted' }, label));
    show(
      h('h1', {}, 'What the store holds'),
      h(
        'div',
        { class: 'cards' },
        card(s.documents, 'articles'),
        card((s.text_bytes / 1e6).toFixed(2) + ' MB', 'of text'),
        card(s.date_range ? `${s.date_range.from} … ${s.date_range.to}` : '—', 'publication dates'),
        card(s.documents_with_warnings, 'articles with warnings'),
        card(Object.values(s.layers || {}).reduce((a, b) => a + b, 0), 'annotations'),
      ),
      h(
        'div',
        { class: 'grid2' },
        countTable('Languages', s.languages, (l) => link('search', { lang: l === 'unknown' ? '' : l }, l)),
        countTable('Date precision', s.precisions),
        countTable('Annotation layers', s.layers, (l) => link('layer/' + encodeURIComponent(l), {}, l)),
        countTable(
          'Sources',
          (s.sources || []).map((x) => [x.source, x.documents]),
          (src) => link('search', { source: src }, src),
        ),
      ),
      s.uploads_allowed ? uploadForm() : h('p', { class: 'muted' }, 'Uploads are switched off on this server.'),
      h('p', { class: 'muted' }, `schema version ${s.schema_version}`),
    );
  } catch (e) {
    show(h('h1', {}, 'Stats'), errorBox(e));
  }
}

/** Upload a file (text, JSONL, HTML, RSS/Atom, WARC) through POST /api/ingest. */
function uploadForm() {
  const file = h('input', { type: 'file', name: 'file', required: 'required' });
  const source = h('input', { name: 'source', placeholder: 'for articles that name none', size: 24 });
  const syntax = h('input', { type: 'checkbox', name: 'syntax' });
  const report = h('div', { id: 'upload-report' });
  const button = h('button', { type: 'submit' }, 'Upload');
  const form = h(
    'form',
    { class: 'filters', id: 'upload' },
    h('label', {}, 'file (text, JSONL, HTML, RSS/Atom, WARC)', file),
    h('label', {}, 'source', source),
    h('label', { title: 'parse every sentence so events keep who did what to whom; about three times slower' }, syntax, ' event roles (parse)'),
    button,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = file.files && file.files[0];
    if (!f) return;
    button.disabled = true;
    fill(report, h('p', { class: 'muted' }, 'Reading, annotating and storing…'));
    try {
      const qs = new URLSearchParams({ name: f.name });
      if (source.value.trim()) qs.set('source', source.value.trim());
      if (syntax.checked) qs.set('syntax', 'true');
      const res = await fetch('/api/ingest?' + qs, { method: 'POST', body: f });
      const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
      if (!res.ok) throw new ApiError(body.error || String(res.status));
      statsCache = null;
      fill(report,
        h('p', {}, `${body.read} read as ${body.format}: ${body.stored} stored, ${body.already_present} already present, ${body.failed} failed.`),
        h('ul', {}, body.documents.map((d) => h('li', {}, link('doc/' + d.id, {}, d.title || d.id), ` · ${d.published} · ${d.outcome}`))),
        body.errors.length ? h('ul', {}, body.errors.map((e) => h('li', { class: 'warning' }, `${e.locator}: ${e.message}`))) : null,
      );
    } catch (e) {
      fill(report, errorBox(e));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', {}, h('h2', {}, 'Add articles'), form, report);
}

// ------------------------------------------------------------------ router

function route() {
  tooltip.hide();
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, qs] = hash.split('?');
  const params = new URLSearchParams(qs || '');
  const parts = path.split('/').map(decodeURIComponent);
  const name = parts[0] || 'search';
  for (const a of document.querySelectorAll('header nav a[data-route]')) {
    a.classList.toggle('active', a.dataset.route === (name === 'doc' ? 'search' : name === 'layer' ? 'stats' : name === 'entity' ? 'entities' : name));
  }
  document.title = 'kroniek · ' + name;
  if (name === 'doc' && parts[1]) return pageDocument(parts[1]);
  if (name === 'timeline') return pageTimeline(params);
  if (name === 'stats') return pageStats();
  if (name === 'layer' && parts[1]) return pageLayer(parts[1], params);
  if (name === 'entities') return pageEntities(params);
  if (name === 'entity' && parts[1]) return pageEntity(parts[1], params);
  if (name === 'conflicts') return pageConflicts(params);
  if (name === 'topic') return pageTopic(params);
  return pageSearch(params);
}

window.addEventListener('hashchange', route);
route();
