// A real registry for tests: Debian's `docker-registry` (the distribution project's registry)
// on a loopback port with its storage in a temporary folder, images pushed into it by Debian's
// `skopeo`, and optionally Docker-style token auth: a token server the test runs, which checks
// a user's password and signs ES256 JWTs with a certificate (made by `openssl`) that the
// registry trusts. Everything stops and is removed by `stop()`.

import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../shared/exec.js';
import { freeLoopbackPort } from '../../shared/net.js';

export interface TestRegistry {
  /** host:port, to put in image references. */
  readonly host: string;
  /** Pushes an OCI layout archive (a file) as `repo:tag` with skopeo; `skopeoArgs` e.g. ['--format', 'v2s2']. */
  push(archivePath: string, repoTag: string, skopeoArgs?: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

export interface TokenAuth {
  readonly username: string;
  readonly password: string;
}

const SERVICE = 'shoal-test-registry';
const ISSUER = 'shoal-test-token-server';

function base64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

async function startTokenServer(dir: string, auth: TokenAuth): Promise<{ realm: string; certPath: string; server: Server }> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=shoal-test-token']);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user, pass] = basic === undefined ? [] : Buffer.from(basic, 'base64').toString().split(':');
    if (user !== auth.username || pass !== auth.password) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    // Grants what the scope asks for: repository:NAME:ACTIONS.
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      return type === undefined || name === undefined ? [] : [{ type, name, actions: (actions ?? '').split(',').filter((a) => a !== '') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = { iss: ISSUER, sub: user, aud: url.searchParams.get('service') ?? SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${signingInput}.${base64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { realm: `http://127.0.0.1:${port}/token`, certPath, server };
}

export async function startRegistry(o: { tokenAuth?: TokenAuth } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-registry-'));
  let token: Awaited<ReturnType<typeof startTokenServer>> | undefined;
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    if (token !== undefined) await new Promise((r) => token?.server.close(r));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (o.tokenAuth !== undefined) token = await startTokenServer(dir, o.tokenAuth);
    const port = await freeLoopbackPort();
    const host = `127.0.0.1:${port}`;
    const auth = token === undefined ? '' : `auth:\n  token:\n    realm: ${token.realm}\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${token.certPath}\n`;
    const config = `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`;
    await writeFile(join(dir, 'config.yml'), config);
    const c = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (b: Buffer): void => {
        seen += b.toString();
        if (seen.includes('listening on')) resolve();
      };
      c.stdout?.on('data', onData);
      c.stderr?.on('data', onData);
      c.once('error', (e) => reject(new Error(`docker-registry: ${e.message}`)));
      c.once('exit', (code) => reject(new Error(`docker-registry exited (${code}): ${seen.slice(-500)}`)));
    });
    const creds = o.tokenAuth === undefined ? [] : ['--dest-creds', `${o.tokenAuth.username}:${o.tokenAuth.password}`];
    return {
      host,
      push: async (archivePath, repoTag, skopeoArgs = []) => {
        await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', ...creds, ...skopeoArgs, `oci-archive:${archivePath}`, `docker://${host}/${repoTag}`], { env: { ...process.env, HOME: dir } });
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
