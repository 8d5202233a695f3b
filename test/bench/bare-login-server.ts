// The least a password login can do over HTTP: node:http, one SELECT, argon2, one INSERT of a
// device and a token, a JSON answer; no framework, validation, logging, metrics or foreign keys.
// The login benchmark measures it against raw verifications too, to show what ratio this machine
// allows at all.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import pg from 'pg';
import { PasswordHasher } from '../../homeserver/dist/accounts/passwords.js';

async function readJson(req: IncomingMessage): Promise<{ identifier: { user: string }; password: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Serves POST logins for one user on a free port, with tables of its own in `dbUrl`'s database. */
export async function startBareLoginServer(dbUrl: string, user: string, password: string): Promise<{ url: string; stop(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 10 });
  await pool.query('CREATE TABLE bare_users (localpart text PRIMARY KEY, user_id text NOT NULL, password_hash text NOT NULL)');
  await pool.query('CREATE TABLE bare_devices (user_id text, device_id text, created_ts bigint, PRIMARY KEY (user_id, device_id))');
  await pool.query('CREATE TABLE bare_tokens (token_hash bytea PRIMARY KEY, user_id text, device_id text, created_ts bigint)');
  const passwords = new PasswordHasher();
  const hash = await passwords.hash(password);
  await pool.query('INSERT INTO bare_users VALUES ($1, $2, $3)', [user, `@${user}:localhost`, hash]);

  const server = createServer(async (req, res) => {
    const body = await readJson(req);
    const {
      rows: [row],
    } = await pool.query({ name: 'bare_credentials', text: 'SELECT user_id, password_hash FROM bare_users WHERE localpart = $1', values: [body.identifier.user] });
    if (!(await passwords.verify(row.password_hash, body.password))) {
      res.writeHead(403).end('{}');
      return;
    }
    const token = randomBytes(32).toString('base64url');
    const deviceId = randomBytes(5).toString('hex');
    await pool.query({
      name: 'bare_new_device',
      text: 'WITH d AS (INSERT INTO bare_devices VALUES ($1, $2, $3)) INSERT INTO bare_tokens VALUES ($4, $1, $2, $3)',
      values: [row.user_id, deviceId, Date.now(), createHash('sha256').update(token).digest()],
    });
    const out = JSON.stringify({ user_id: row.user_id, access_token: token, device_id: deviceId });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) }).end(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/login`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
