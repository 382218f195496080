// xcsct dashboard: experiments, scans, figures. Plain JavaScript served by the node; no external assets.
'use strict';

const view = document.getElementById('view');
const tokenInput = document.getElementById('token');
tokenInput.value = localStorage.getItem('xcsct-token') || '';
tokenInput.addEventListener('change', () => localStorage.setItem('xcsct-token', tokenInput.value));

let timer = null;
const REFRESH_MS = 2000;

function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
function num(v, digits) { return (v === null || v === undefined || Number.isNaN(v)) ? 'n/a' : Number(v).toFixed(digits); }
function pm(v, s, digits) { return (v === null || v === undefined || Number.isNaN(v)) ? 'n/a' : `${num(v, digits)} ± ${num(s, digits)}`; }
function bar(f) { return `<span class="bar"><span style="width:${Math.round(100 * Math.max(0, Math.min(1, f)))}%"></span></span> ${Math.round(100 * f)}%`; }
function state(s) { return `<span class="state ${esc(s)}">${esc(s)}</span>`; }
function enc(s) { return encodeURIComponent(s); }
function finished(e) { return e.state === 'completed' || e.state === 'failed' || e.state === 'cancelled'; }

async function api(method, path, body, contentType) {
  const headers = {};
  if (method !== 'GET' && tokenInput.value) headers['Authorization'] = 'Bearer ' + tokenInput.value;
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  const r = await fetch(path, { method, headers, body, cache: 'no-store' });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text }; }
  if (!r.ok) { const e = new Error((data && data.error) || r.statusText); e.problems = (data && data.problems) || []; e.status = r.status; throw e; }
  return data;
}

function schedule(again) {
  clearTimeout(timer);
  if (again) timer = setTimeout(route, REFRESH_MS);
}

async function showList() {
  const list = await api('GET', '/api/experiments');
  const rows = list.map(e => `<tr>
      <td><a href="#/e/${enc(e.id)}">${esc(e.id)}</a></td><td>${state(e.state)}</td><td>${bar(e.progress)}</td>
      <td class="num">${e.scans_done} / ${e.scans.length}</td><td>${esc(new Date(e.submitted_at).toLocaleString())}</td>
      <td class="error">${esc(e.error || '')}</td></tr>`).join('');
  const draft = document.getElementById('manifest');
  const keep = draft ? { manifest: draft.value, base: document.getElementById('base').value, replace: document.getElementById('replace').checked } : null;
  view.innerHTML = `<h1>Experiments</h1>
    <table id="experiments"><thead><tr><th>id</th><th>state</th><th>progress</th><th class="num">scans</th><th>submitted</th><th>error</th></tr></thead>
    <tbody>${rows || '<tr><td colspan="6" class="muted">No experiments yet.</td></tr>'}</tbody></table>
    <form class="submit" id="submit-form">
      <h2>Submit an experiment</h2>
      <div class="row"><label>Manifest (YAML or JSON)<br><textarea id="manifest" spellcheck="false"></textarea></label></div>
      <div class="row"><label>Base directory for relative paths (absolute, inside a data root; empty: the first data root)<br><input id="base" type="text"></label></div>
      <div class="row"><label><input id="replace" type="checkbox"> replace an experiment with the same id</label></div>
      <div class="row"><button id="submit" type="submit">Submit</button> <span id="submit-result"></span></div>
      <div id="submit-problems" class="problems"></div>
    </form>`;
  if (keep) {
    document.getElementById('manifest').value = keep.manifest;
    document.getElementById('base').value = keep.base;
    document.getElementById('replace').checked = keep.replace;
  }
  document.getElementById('submit-form').addEventListener('submit', submit);
  schedule(list.some(e => !finished(e)));
}

async function submit(ev) {
  ev.preventDefault();
  const out = document.getElementById('submit-result'), problems = document.getElementById('submit-problems');
  out.textContent = 'submitting…'; problems.innerHTML = '';
  const base = document.getElementById('base').value.trim();
  const replace = document.getElementById('replace').checked;
  const q = new URLSearchParams();
  if (base) q.set('base', base);
  if (replace) q.set('replace', 'true');
  try {
    const text = document.getElementById('manifest').value;
    const accepted = await api('POST', '/api/experiments' + (q.toString() ? '?' + q : ''), text, text.trim().startsWith('{') ? 'application/json' : 'application/yaml');
    location.hash = `#/e/${enc(accepted.id)}`;
  } catch (e) {
    out.textContent = `${e.status || ''} ${e.message}`;
    problems.innerHTML = '<ul>' + e.problems.map(p => `<li>${esc(p)}</li>`).join('') + '</ul>';
  }
}

async function showExperiment(id) {
  const e = await api('GET', `/api/experiments/${enc(id)}`);
  const scans = e.scans.map(s => `<tr data-scan="${esc(s.id)}">
      <td><a href="#/e/${enc(e.id)}/s/${enc(s.id)}">${esc(s.id)}</a></td><td class="num">${num(s.time_s / 3600, 2)}</td><td class="num">${num(s.z_um / 1000, 2)}</td>
      <td>${state(s.state)}</td><td>${bar(s.progress)}</td><td class="num">${s.frames_done.toLocaleString()} / ${s.frames_total.toLocaleString()}</td>
      <td class="error">${esc(s.error || '')}</td>
      <td>${(s.state === 'failed' || s.state === 'cancelled') && finished(e) ? `<button class="secondary retry" data-scan="${esc(s.id)}">retry</button>` : ''}</td></tr>`).join('');
  const stamp = e.finished_at || e.started_at || '';
  view.innerHTML = `<h1>Experiment ${esc(e.id)} ${state(e.state)}</h1>
    <div class="kv"><span>progress</span><span>${bar(e.progress)}</span>
      <span>run</span><span>${e.run} on ${esc(e.node)}</span>
      <span>current job</span><span>${esc(e.current_job || '—')}</span>
      <span>error</span><span class="error">${esc(e.error || '—')}</span></div>
    ${finished(e) ? '' : '<p><button class="secondary" id="cancel">cancel</button></p>'}
    <h2>Scans</h2>
    <table id="scans"><thead><tr><th>scan</th><th class="num">t (h)</th><th class="num">z (mm)</th><th>state</th><th>progress</th><th class="num">frames</th><th>error</th><th></th></tr></thead><tbody>${scans}</tbody></table>
    ${e.series_written ? `<h2>Operando series</h2><div class="figures"><figure><img id="series" alt="series" src="/api/experiments/${enc(e.id)}/files/series.png?t=${enc(stamp)}">
      <figcaption><a href="/api/experiments/${enc(e.id)}/files/series.csv">series.csv</a> · <a href="/api/experiments/${enc(e.id)}/files/series.json">series.json</a></figcaption></figure></div>` : ''}
    <p id="action-result" class="problems"></p>`;
  const cancel = document.getElementById('cancel');
  if (cancel) cancel.addEventListener('click', () => act('DELETE', `/api/experiments/${enc(e.id)}`));
  for (const b of view.querySelectorAll('button.retry'))
    b.addEventListener('click', () => act('POST', `/api/experiments/${enc(e.id)}/scans/${enc(b.dataset.scan)}/retry`));
  schedule(!finished(e));
}

async function act(method, path) {
  try { await api(method, path); route(); }
  catch (e) { document.getElementById('action-result').textContent = `${e.status || ''} ${e.message}`; }
}

async function showScan(id, scanId) {
  const e = await api('GET', `/api/experiments/${enc(id)}`);
  const s = e.scans.find(x => x.id === scanId);
  if (!s) throw Object.assign(new Error(`experiment ${id} has no scan ${scanId}`), { problems: [] });
  const base = `/api/experiments/${enc(id)}/scans/${enc(scanId)}`;
  let body = `<h1><a href="#/e/${enc(id)}">${esc(id)}</a> / ${esc(scanId)} ${state(s.state)}</h1>`;
  if (s.state !== 'done') {
    body += `<p>${bar(s.progress)} ${s.frames_done.toLocaleString()} / ${s.frames_total.toLocaleString()} frames</p>${s.error ? `<p class="error">${esc(s.error)}</p>` : ''}`;
    view.innerHTML = body;
    schedule(!finished(e));
    return;
  }
  const sum = await api('GET', base);
  const liParts = (sum.li_fraction && sum.li_fraction.components) || {};
  const g = sum.li_fraction && sum.li_fraction.global;
  const emf = sum.emf || {};
  const rows = [`<tr><td>global</td><td class="num">${pm(emf.global && emf.global.value, emf.global && emf.global.sigma, 4)}</td><td class="num"></td><td class="num">${g ? pm(g.value, g.sigma, 3) : ''}</td></tr>`]
    .concat(Object.entries(emf.components || {}).map(([name, c]) => { const x = liParts[name]; return `<tr><td>${esc(name)}</td><td class="num">${pm(c.value, c.sigma, 4)}</td><td class="num">${c.pixels}</td><td class="num">${x ? pm(x.value, x.sigma, 3) : ''}</td></tr>`; }));
  const t = enc(e.finished_at || s.frames_done);
  view.innerHTML = body + `
    <div class="kv"><span>frames</span><span>${sum.frames.toLocaleString()}</span>
      <span>events kept</span><span>${sum.events.kept.toLocaleString()} of ${sum.events.in.toLocaleString()}</span>
      <span>Compton peak</span><span>${num(sum.compton_peak_keV, 3)} keV</span>
      <span>files</span><span><a href="${base}/files/result.nxs">result.nxs</a> · <a href="${base}/files/summary.json">summary.json</a></span></div>
    <h2>Components</h2>
    <table id="components"><thead><tr><th>region</th><th class="num">EMF</th><th class="num">pixels</th><th class="num">Li x</th></tr></thead><tbody>${rows.join('')}</tbody></table>
    <h2>Figures</h2>
    <div class="figures">
      <figure><img id="emf-map" alt="EMF map" src="${base}/files/emf_map.png?t=${t}"><figcaption>EMF map</figcaption></figure>
      <figure><img id="spectrum" alt="spectrum" src="${base}/files/spectrum.png?t=${t}"><figcaption>spectrum</figcaption></figure>
      <figure><img id="profile" alt="Compton profile" src="${base}/files/profile.png?t=${t}"><figcaption>Compton profile</figcaption></figure>
    </div>`;
  schedule(false);
}

async function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  try {
    if (parts[0] === 'e' && parts[1] && parts[2] === 's' && parts[3]) await showScan(parts[1], parts[3]);
    else if (parts[0] === 'e' && parts[1]) await showExperiment(parts[1]);
    else await showList();
  } catch (e) {
    view.innerHTML = `<p class="error">${esc(e.status || '')} ${esc(e.message)}</p><p><a href="#/">all experiments</a></p>`;
    schedule(true);
  }
}

async function showNode() {
  try {
    const n = await api('GET', '/api/node');
    document.getElementById('node').textContent = `${n.node} · ${n.runner} · v${n.version}${n.token_required ? ' · token required' : ''}`;
  } catch (e) { document.getElementById('node').textContent = 'node not answering'; }
}

window.addEventListener('hashchange', route);
showNode();
route();
