// Alphora Sandbox web console: plain JavaScript over the public REST and WebSocket API only.
// REST calls send the API key as "Authorization: Bearer"; the WebSocket passes it as ?token=.
'use strict';

const $ = (id) => document.getElementById(id);
const state = {
  key: localStorage.getItem('alphora.apiKey') || '',
  sandbox: localStorage.getItem('alphora.sandbox') || '',
  ws: null, wsSandbox: null, wsReady: null,
  requestId: null, runId: null, counter: 0,
};

function message(text, isError) {
  const m = $('message');
  m.textContent = text || '';
  m.className = isError ? 'error' : '';
}

function fail(e) { message(e.message || String(e), true); }

async function api(method, path, body, raw) {
  const headers = {};
  if (state.key) headers.Authorization = 'Bearer ' + state.key;
  let payload;
  if (raw !== undefined) {
    payload = raw;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch(path, { method, headers, body: payload });
  if (!r.ok) {
    let text = r.status + ' ' + r.statusText;
    try { const j = await r.json(); text = j.error.code + ': ' + j.error.message; } catch (ignored) { /* not JSON */ }
    throw new Error(text);
  }
  if (r.status === 204) return null;
  return (r.headers.get('Content-Type') || '').includes('json') ? r.json() : r;
}

const sbx = (rest) => '/v1/sandboxes/' + encodeURIComponent(state.sandbox) + (rest || '');
const filePath = (p) => p.split('/').map(encodeURIComponent).join('/');

// ---- sandboxes -------------------------------------------------------------------------------

async function refreshSandboxes() {
  const { sandboxes } = await api('GET', '/v1/sandboxes');
  const sel = $('sandbox-select');
  sel.innerHTML = '';
  if (!sandboxes.length) sel.append(new Option('(no sandbox yet: create one)', ''));
  for (const s of sandboxes) {
    sel.append(new Option((s.name ? s.name + ' · ' : '') + s.sandbox_id + ' · ' + s.status, s.sandbox_id));
  }
  if (!sandboxes.some((s) => s.sandbox_id === state.sandbox)) state.sandbox = sandboxes.length ? sandboxes[0].sandbox_id : '';
  sel.value = state.sandbox;
  await selectSandbox(state.sandbox);
}

async function selectSandbox(id) {
  state.sandbox = id;
  localStorage.setItem('alphora.sandbox', id);
  if (state.ws && state.wsSandbox !== id) state.ws.close(1000, 'another sandbox');
  if (!id) {
    $('sandbox-status').textContent = '';
    return;
  }
  const info = await api('GET', sbx());
  $('sandbox-status').textContent = info.status + ' · ' + info.backend_type + ' · ' + info.resource_limits.memory_mb + ' MB';
  await Promise.all([refreshFiles(), refreshPackages(), refreshEnv()]);
}

async function createSandbox() {
  const body = { backend: $('new-backend').value, resource_limits: $('new-limits').value };
  const name = $('new-name').value.trim();
  if (name) body.name = name;
  message('creating…');
  const info = await api('POST', '/v1/sandboxes', body);
  state.sandbox = info.sandbox_id;
  await refreshSandboxes();
  message('created ' + info.sandbox_id);
}

async function lifecycle(action) {
  if (!state.sandbox) return;
  if (action === 'delete') {
    await api('DELETE', sbx());
    state.sandbox = '';
  } else {
    await api('POST', sbx('/' + action));
  }
  await refreshSandboxes();
}

// ---- runs over the WebSocket -------------------------------------------------------------------

function socket() {
  if (state.ws && state.wsSandbox === state.sandbox && state.ws.readyState <= WebSocket.OPEN) return state.wsReady;
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = proto + '//' + location.host + sbx('/ws') + (state.key ? '?token=' + encodeURIComponent(state.key) : '');
  const ws = new WebSocket(url);
  state.ws = ws;
  state.wsSandbox = state.sandbox;
  state.wsReady = new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error('the WebSocket to ' + state.sandbox + ' failed'));
  });
  ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
  ws.onclose = (ev) => {
    if (state.ws !== ws) return;
    state.ws = null;
    if (state.runId || state.requestId) {
      print('info', '\n[socket closed: ' + ev.code + (ev.reason ? ' ' + ev.reason : '') + ']\n');
      runEnded();
    }
  };
  return state.wsReady;
}

function print(kind, text) {
  const out = $('output');
  const stick = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
  const last = out.lastElementChild;
  if (last && last.className === kind) {
    last.textContent += text;
  } else {
    const span = document.createElement('span');
    span.className = kind;
    span.textContent = text;
    out.append(span);
  }
  if (stick) out.scrollTop = out.scrollHeight;
}

function onFrame(f) {
  switch (f.type) {
    case 'start':
      if (f.request_id === state.requestId) {
        state.runId = f.exec_id;
        $('run-state').textContent = 'running ' + f.exec_id;
      }
      break;
    case 'stdout':
    case 'stderr':
      if (f.exec_id === state.runId) print(f.type, f.data);
      break;
    case 'exit':
      if (f.exec_id === state.runId) {
        const r = f.result;
        const ok = r.status === 'success';
        print('exit ' + (ok ? 'ok' : 'bad'), (($('output').textContent.endsWith('\n') || !$('output').textContent) ? '' : '\n')
          + '── ' + r.status + ' · return code ' + r.return_code + ' · ' + r.execution_time.toFixed(3) + ' s'
          + (r.error ? ' · ' + (r.error_type ? r.error_type + ': ' : '') + r.error : '') + '\n');
        runEnded();
        refreshFiles().catch(fail);
      }
      break;
    case 'error':
      if (!f.request_id || f.request_id === state.requestId || f.exec_id === state.runId) {
        print('stderr', '[' + f.error.code + '] ' + f.error.message + '\n');
        if (f.request_id === state.requestId && !state.runId) runEnded();
      }
      message(f.error.code + ': ' + f.error.message, true);
      break;
    default:
      break; // keepalive, pong
  }
}

function runEnded() {
  state.runId = null;
  state.requestId = null;
  $('run').disabled = false;
  $('cancel').disabled = true;
  $('run-state').textContent = '';
}

async function run() {
  if (!state.sandbox) { message('create or select a sandbox first', true); return; }
  const ws = await socket();
  $('output').textContent = '';
  state.requestId = 'console-' + (++state.counter);
  state.runId = null;
  const frame = { type: 'exec', request_id: state.requestId, language: $('language').value };
  if (frame.language === 'shell') frame.command = $('editor').value; else frame.code = $('editor').value;
  ws.send(JSON.stringify(frame));
  $('run').disabled = true;
  $('cancel').disabled = false;
  $('run-state').textContent = 'starting…';
  message('');
}

function cancel() {
  if (state.ws && state.runId) state.ws.send(JSON.stringify({ type: 'cancel', exec_id: state.runId }));
}

function sendStdin(eof) {
  if (!state.ws || !state.runId) { message('no run in progress', true); return; }
  const input = $('stdin-input');
  const data = eof ? '' : input.value + '\n';
  if (data) print('stdin info', data);
  state.ws.send(JSON.stringify({ type: 'stdin', exec_id: state.runId, data, eof: !!eof }));
  input.value = '';
}

// ---- files, packages, env ----------------------------------------------------------------------

async function refreshFiles() {
  const body = $('files').tBodies[0];
  if (!state.sandbox) { body.innerHTML = ''; return; }
  const { files } = await api('GET', sbx('/files?recursive=true'));
  body.innerHTML = '';
  for (const f of files) {
    const tr = body.insertRow();
    tr.dataset.path = f.path;
    tr.insertCell().textContent = f.path + (f.is_directory ? '/' : '');
    tr.insertCell().textContent = f.is_directory ? '' : f.size_human;
    const actions = tr.insertCell();
    if (!f.is_directory) actions.append(button('Download', () => download(f.path)));
    actions.append(button('Delete', async () => { await api('DELETE', sbx('/files/' + filePath(f.path))); await refreshFiles(); }));
  }
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => Promise.resolve(onClick()).catch(fail));
  return b;
}

async function download(path) {
  const r = await api('GET', sbx('/files/' + filePath(path)));
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = path.split('/').pop();
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function upload(files) {
  for (const f of files) {
    message('uploading ' + f.name + '…');
    await api('PUT', sbx('/files/' + filePath(f.name)), undefined, f);
  }
  message('uploaded ' + Array.from(files).map((f) => f.name).join(', '));
  $('file-upload').value = '';
  await refreshFiles();
}

async function refreshPackages() {
  const list = $('packages');
  list.innerHTML = '';
  if (!state.sandbox) return;
  const { packages } = await api('GET', sbx('/packages'));
  if (!packages.length) list.innerHTML = '<li class="muted">none installed</li>';
  for (const p of packages) {
    const li = document.createElement('li');
    li.textContent = p.name + ' ' + p.version + ' ';
    li.append(button('Uninstall', async () => { await api('DELETE', sbx('/packages/' + encodeURIComponent(p.name))); await refreshPackages(); }));
    list.append(li);
  }
}

async function installPackage() {
  const name = $('package-name').value.trim();
  if (!name) return;
  message('installing ' + name + '…');
  await api('POST', sbx('/packages'), { packages: [name] });
  message('installed ' + name);
  $('package-name').value = '';
  await refreshPackages();
}

async function refreshEnv() {
  const body = $('env').tBodies[0];
  body.innerHTML = '';
  if (!state.sandbox) return;
  const { env } = await api('GET', sbx('/env'));
  for (const [k, v] of Object.entries(env)) {
    const tr = body.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
    tr.insertCell().append(button('Delete', async () => { await api('DELETE', sbx('/env/' + encodeURIComponent(k))); await refreshEnv(); }));
  }
}

async function setEnv() {
  const key = $('env-key').value.trim();
  if (!key) return;
  await api('PUT', sbx('/env/' + encodeURIComponent(key)), { value: $('env-value').value });
  $('env-key').value = '';
  $('env-value').value = '';
  await refreshEnv();
}

// ---- editor with line numbers ------------------------------------------------------------------

function updateGutter() {
  const editor = $('editor');
  const lines = editor.value.split('\n').length;
  const gutter = $('gutter');
  if (gutter.dataset.lines !== String(lines)) {
    gutter.textContent = Array.from({ length: lines }, (_, i) => i + 1).join('\n');
    gutter.dataset.lines = String(lines);
  }
  gutter.scrollTop = editor.scrollTop;
}

function editorKeys(ev) {
  const editor = $('editor');
  if (ev.key === 'Tab') {
    ev.preventDefault();
    editor.setRangeText('    ', editor.selectionStart, editor.selectionEnd, 'end');
    updateGutter();
  } else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    if (!$('run').disabled) run().catch(fail);
  }
}

// ---- wiring ------------------------------------------------------------------------------------

function on(id, event, handler) {
  $(id).addEventListener(event, (ev) => { Promise.resolve(handler(ev)).catch(fail); });
}

$('api-key').value = state.key;
on('save-key', 'click', async () => {
  state.key = $('api-key').value.trim();
  localStorage.setItem('alphora.apiKey', state.key);
  if (state.ws) state.ws.close(1000, 'new key');
  await refreshSandboxes();
  message('key saved');
});
on('sandbox-select', 'change', (ev) => selectSandbox(ev.target.value));
on('refresh-sandboxes', 'click', refreshSandboxes);
on('create-sandbox', 'click', createSandbox);
on('start-sandbox', 'click', () => lifecycle('start'));
on('stop-sandbox', 'click', () => lifecycle('stop'));
on('delete-sandbox', 'click', () => lifecycle('delete'));
on('run', 'click', run);
on('cancel', 'click', cancel);
on('stdin-send', 'click', () => sendStdin(false));
on('stdin-eof', 'click', () => sendStdin(true));
on('stdin-input', 'keydown', (ev) => { if (ev.key === 'Enter') sendStdin(false); });
on('file-upload', 'change', (ev) => upload(ev.target.files));
on('refresh-files', 'click', refreshFiles);
on('install-package', 'click', installPackage);
on('env-set', 'click', setEnv);
$('editor').addEventListener('input', updateGutter);
$('editor').addEventListener('scroll', updateGutter);
$('editor').addEventListener('keydown', editorKeys);
updateGutter();
refreshSandboxes().catch(fail);
