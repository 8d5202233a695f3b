// Fresh-machine smoke test: `parley start` with the embedded database in a temp dir on free ports,
// wait for /versions, register and log in over HTTP, stop it, and fail if anything is left running.
import { spawn, execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(path.join(tmpdir(), 'parley-smoke-'));
const port = await freePort();
const fedPort = await freePort();
const env = { ...process.env, PARLEY_DATA_DIR: dir, PARLEY_PORT: String(port), PARLEY_FEDERATION_PORT: String(fedPort), PARLEY_REGISTRATION: 'open', PARLEY_BIND_ADDRESS: '127.0.0.1' };
delete env.DATABASE_URL;
delete env.REDIS_URL;
const started = Date.now();
const child = spawn(process.execPath, [path.join(root, 'homeserver/dist/bundle/cli.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));

const base = `http://127.0.0.1:${port}`;
async function call(method, p, body, token) {
  const res = await fetch(base + p, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

function fail(msg) {
  console.error(`smoke: FAILED: ${msg}\n--- server output ---\n${output.slice(-5000)}`);
  try { child.kill('SIGKILL'); } catch {}
  process.exit(1);
}

try {
  let up = false;
  for (let i = 0; i < 600 && !up; i++) {
    if (child.exitCode !== null) fail(`server exited with ${child.exitCode}`);
    try {
      up = (await fetch(base + '/_matrix/client/versions')).ok;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!up) fail('server did not answer /versions within 60 s');
  console.log(`smoke: /versions answered after ${Date.now() - started} ms`);

  const reg = await call('POST', '/_matrix/client/v3/register', { username: 'smoke', password: 'smoke-password-1', auth: { type: 'm.login.dummy' } });
  if (reg.status !== 200) fail(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await call('POST', '/_matrix/client/v3/login', { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'smoke' }, password: 'smoke-password-1' });
  if (login.status !== 200) fail(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const who = await call('GET', '/_matrix/client/v3/account/whoami', undefined, login.body.access_token);
  if (who.body?.user_id !== '@smoke:localhost') fail(`whoami: ${JSON.stringify(who.body)}`);
  console.log('smoke: registered, logged in, whoami ok');

  // Media through the bundle: content sniffing (file-type) and a thumbnail (sharp) load lazily.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');
  const token = login.body.access_token;
  const upload = await fetch(`${base}/_matrix/media/v3/upload?filename=dot.png`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' }, body: png });
  const uploaded = await upload.json();
  if (upload.status !== 200) fail(`upload: ${upload.status} ${JSON.stringify(uploaded)}`);
  const mediaPath = uploaded.content_uri.replace('mxc://', '');
  const thumb = await fetch(`${base}/_matrix/client/v1/media/thumbnail/${mediaPath}?width=32&height=32&method=scale`, { headers: { Authorization: `Bearer ${token}` } });
  if (thumb.status !== 200 || !thumb.headers.get('content-type')?.startsWith('image/')) fail(`thumbnail: ${thumb.status} ${await thumb.text()}`);
  const info = await fetch(`${base}/_matrix/client/v1/media/download/${mediaPath}`, { headers: { Authorization: `Bearer ${token}` } });
  // A claimed image is kept as one only if its bytes sniff as an image.
  if (info.headers.get('content-type') !== 'image/png') fail(`download content type: ${info.headers.get('content-type')}`);
  console.log('smoke: uploaded an image (sniffed as one), thumbnail made');

  // The web client: its files get their types from their extensions (mime-types, patched in the bundle).
  const page = await fetch(`${base}/`);
  const html = await page.text();
  if (page.status !== 200 || !page.headers.get('content-type')?.startsWith('text/html')) fail(`web client page: ${page.status} ${page.headers.get('content-type')}`);
  const script = /src="([^"]+\.js)"/.exec(html)?.[1];
  if (!script) fail('web client page names no script');
  const asset = await fetch(new URL(script, `${base}/`));
  if (asset.status !== 200 || !/^(text|application)\/javascript/.test(asset.headers.get('content-type') ?? '')) fail(`web client script: ${asset.status} ${asset.headers.get('content-type')}`);
  console.log('smoke: web client page and script served with their types');
} catch (err) {
  fail(err.stack ?? String(err));
}

child.kill('SIGTERM');
const code = await new Promise((r) => child.on('exit', (c) => r(c)));
if (code !== 0) fail(`server exited with code ${code} after SIGTERM`);
const leftovers = execSync(`ps -eo pid,args | grep -F ${JSON.stringify(dir)} | grep -v grep || true`).toString().trim();
if (leftovers) fail(`processes left running:\n${leftovers}`);
rmSync(dir, { recursive: true, force: true });
console.log('smoke: stopped cleanly, nothing left running');
