/**
 * Test helper: runs a real, throw-away Dovecot IMAP server on a free loopback port.
 *
 * Everything (config, passwd-file, Maildir, base_dir, state_dir, logs) lives in one fresh
 * temp dir, so several servers can run at once and nothing touches /etc/dovecot or /var/run.
 * The server runs in the foreground (`dovecot -F`) as our child process so it can be killed.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { ImapFlow } from 'imapflow';

/** A plain password login to the test server, for setting up and looking at its mailbox. */
/** A client logged in to the test server as its user, as a mail client or an MTA would be. */
export async function connectImapClient(server: Pick<DovecotServer, 'host' | 'port' | 'user' | 'password'>): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user: server.user, pass: server.password },
    logger: false,
  });
  await c.connect();
  return c;
}

export async function withImapClient<T>(
  server: Pick<DovecotServer, 'host' | 'port' | 'user' | 'password'>,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const c = await connectImapClient(server);
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => undefined);
  }
}

export interface DovecotServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Absolute path of the user's Maildir root (Maildir++: folder "Drafts" is `<maildir>/.Drafts`). */
  maildir: string;
  /** The temp dir holding config, logs, runtime sockets and the Maildir. */
  baseDir: string;
  /** Kills Dovecot (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Stops Dovecot and starts it again on the same port with the same Maildir. */
  restart(): Promise<void>;
}

const HOST = '127.0.0.1';
const DOVECOT_BIN = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';

// Readiness: poll the port for an IMAP greeting, bounded in count and in total time.
const READY_MAX_TRIES = 100;
const READY_INTERVAL_MS = 100;
const READY_DEADLINE_MS = 20_000;
const PROBE_TIMEOUT_MS = 1_000;

// Shutdown: SIGTERM lets Dovecot disconnect clients cleanly; SIGKILL if it dawdles.
const STOP_GRACE_MS = 5_000;
const KILL_WAIT_MS = 2_000;
const STRAGGLER_TRIES = 40;
const STRAGGLER_INTERVAL_MS = 50;

// Restart: the old listener must be gone before Dovecot can bind the same port again.
const PORT_FREE_TRIES = 50;
const PORT_FREE_INTERVAL_MS = 100;

// First start: another process may grab the port between our probe and Dovecot's bind.
const START_ATTEMPTS = 3;

const VALIDATE_TIMEOUT_MS = 15_000;
const LOG_TAIL_BYTES = 4_000;
// sun_path is 108 bytes on Linux; base_dir holds sockets like "login/imap" and "token-login/...".
const MAX_BASE_DIR_LEN = 80;

interface Running {
  child: ChildProcess;
  exited: boolean;
  exitPromise: Promise<void>;
}

interface Instance {
  instanceName: string;
  baseDir: string;
  running: Running | null;
}

/** Live servers, so the process 'exit' hook can kill whatever a test forgot to stop. */
const live = new Set<Instance>();

/**
 * Under jest, the global `process` is a per-test-file copy whose 'exit' event never fires;
 * the code below runs in Node's main context and so yields the real process object.
 */
function realProcess(): NodeJS.Process {
  const p: unknown = vm.runInThisContext('process');
  return typeof p === 'object' && p !== null && 'on' in p ? (p as NodeJS.Process) : process;
}

// 'exit' handlers must be synchronous: SIGKILL everything, then best-effort cleanup.
function onExit(): void {
  if (live.size > 0) {
    fs.writeSync(2, `test/helpers/dovecot: killing ${live.size} Dovecot server(s) never stop()ped\n`);
  }
  for (const inst of live) {
    const pid = inst.running?.exited === false ? inst.running.child.pid : undefined;
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    killStragglers(inst.instanceName);
    try {
      fs.rmSync(inst.baseDir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // a dying child may still be writing; nothing more we can do at exit
    }
  }
  live.clear();
}

// Registered only while servers are live, so test files that clean up leave no listener behind.
function track(inst: Instance): void {
  if (live.size === 0) realProcess().on('exit', onExit);
  live.add(inst);
}

function untrack(inst: Instance): void {
  if (!live.delete(inst)) return;
  if (live.size === 0) realProcess().removeListener('exit', onExit);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true if `p` settles within `ms`, false on timeout. */
async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Numeric id of a user/group from /etc/passwd or /etc/group (chown needs numbers). */
function lookupId(file: '/etc/passwd' | '/etc/group', name: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined) {
      const id = Number(fields[2]);
      if (Number.isInteger(id)) return id;
    }
  }
  return undefined;
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/** Connects once and resolves true only if the server greets with "* OK". */
function probeGreeting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    let buf = '';
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      // The greeting is one line; stop at its end (or at a silly length).
      if (buf.includes('\r\n') || buf.length > 4096) finish(buf.startsWith('* OK'));
    });
    sock.on('error', () => finish(false));
    sock.on('close', () => finish(false));
  });
}

function tailOf(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > LOG_TAIL_BYTES ? text.slice(-LOG_TAIL_BYTES) : text;
  } catch {
    return '(no file)';
  }
}

/**
 * Kills every process whose title starts with "dovecot-<instance>/". Dovecot children
 * serving a connected client do not exit when the master dies, so after a SIGKILL of the
 * master they would linger; the unique instance name lets us find exactly ours via /proc.
 * Synchronous so the 'exit' hook can use it. Returns how many processes were signalled.
 */
function killStragglers(instanceName: string): number {
  const prefix = `dovecot-${instanceName}/`;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return 0; // no procfs: nothing we can do
  }
  let count = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    if (!cmdline.startsWith(prefix)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      count++;
    } catch {
      // already gone
    }
  }
  return count;
}

function checkTraversable(dir: string): void {
  // The mail processes run as nobody, so every ancestor of the Maildir must be o+x.
  let cur = path.dirname(dir);
  for (let i = 0; i < 64; i++) {
    const mode = fs.statSync(cur).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`startDovecot: ${cur} is not traversable by "nobody"; set TMPDIR to e.g. /tmp`);
    }
    const parent = path.dirname(cur);
    if (parent === cur) return;
    cur = parent;
  }
}

function buildConfig(p: {
  baseDir: string;
  port: number;
  instanceName: string;
  loginUser: string;
  authUser: string | null;
  passwdFile: string;
  maildir: string;
  home: string;
}): string {
  const d = p.baseDir;
  // Anvil's auth penalty delays every failed login from one IP by up to 15 s, which would
  // make bad-password tests crawl. Its off switch is a mode 0 socket, which only works if
  // auth is not root (root ignores file modes), hence the unprivileged auth user.
  const authBlock =
    p.authUser === null
      ? ''
      : `# No auth penalty: auth runs unprivileged and cannot open the mode 0 penalty socket.
service auth {
  user = ${p.authUser}
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
  return `# Generated by test/helpers/dovecot.ts - throw-away test server, do not reuse.
protocols = imap
listen = ${HOST}
# Unique instance name: also the process-title prefix used to find our processes.
instance_name = ${p.instanceName}
base_dir = ${d}/run
state_dir = ${d}/state
log_path = ${d}/dovecot.log
info_log_path = ${d}/dovecot.log
debug_log_path = ${d}/dovecot.log

# We run as root; internal services may too, but imap-login refuses root
# ("This process must not be run as root"), so it gets an unprivileged user.
default_internal_user = root
default_internal_group = root
default_login_user = ${p.loginUser}

# Plaintext auth over loopback only, no TLS at all.
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
# Tests log in many times from 127.0.0.1; keep per-user+IP limits and failure delays out of the way.
mail_max_userip_connections = 100
auth_failure_delay = 0

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${p.passwdFile}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${p.passwdFile}
  # Dovecot refuses uid 0 for mail access.
  override_fields = uid=nobody gid=nogroup home=${p.home}
}

mail_location = maildir:${p.maildir}
namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
    auto = create
  }
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}

service imap-login {
  inet_listener imap {
    address = ${HOST}
    port = ${p.port}
  }
  inet_listener imaps {
    port = 0
  }
}
${authBlock}# stats-writer stays in base_dir; 0666 so mail processes running as nobody can reconnect to it.
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
}

function validateConfig(confPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(DOVECOT_BIN, ['-n', '-c', confPath], { timeout: VALIDATE_TIMEOUT_MS }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`dovecot -n rejected ${confPath}: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

function spawnDovecot(confPath: string, stderrPath: string): Running {
  // stdout/stderr go to a file, not a pipe: pipes inherited by Dovecot children could
  // outlive the master and keep jest's event loop alive.
  const fd = fs.openSync(stderrPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(DOVECOT_BIN, ['-F', '-c', confPath], { stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
  // Do not hold the event loop open: a forgotten stop() must not hang jest; the 'exit' hook
  // kills such leftovers.
  child.unref();
  const running: Running = { child, exited: false, exitPromise: Promise.resolve() };
  running.exitPromise = new Promise<void>((resolve) => {
    const done = (): void => {
      running.exited = true;
      resolve();
    };
    child.once('exit', done);
    child.once('error', done); // e.g. ENOENT: the process never ran
  });
  return running;
}

async function stopProcess(inst: Instance): Promise<void> {
  const running = inst.running;
  inst.running = null;
  if (running !== null && !running.exited) {
    running.child.kill('SIGTERM');
    if (!(await settlesWithin(running.exitPromise, STOP_GRACE_MS))) {
      running.child.kill('SIGKILL');
      await settlesWithin(running.exitPromise, KILL_WAIT_MS);
    }
  }
  // Kill leftover children (only needed after SIGKILL, cheap otherwise), bounded.
  for (let i = 0; i < STRAGGLER_TRIES; i++) {
    if (killStragglers(inst.instanceName) === 0) break;
    await sleep(STRAGGLER_INTERVAL_MS);
  }
  // A SIGKILLed master leaves master.pid behind; remove it so the next start is not confused.
  await fsp.rm(path.join(inst.baseDir, 'run', 'master.pid'), { force: true });
}

async function waitReady(running: Running, port: number, logPath: string, stderrPath: string): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (let i = 0; i < READY_MAX_TRIES && Date.now() < deadline; i++) {
    if (running.exited) break;
    if (await probeGreeting(port)) return;
    await sleep(READY_INTERVAL_MS);
  }
  const why = running.exited
    ? `dovecot exited early (code ${String(running.child.exitCode)}, signal ${String(running.child.signalCode)})`
    : `no IMAP greeting on ${HOST}:${port}`;
  throw new Error(
    `startDovecot: ${why}.\n--- ${logPath} (tail) ---\n${tailOf(logPath)}\n--- ${stderrPath} (tail) ---\n${tailOf(stderrPath)}`,
  );
}

/** `config`: lines appended to the generated dovecot.conf (a plugin a test needs, say). */
export async function startDovecot(opts?: { user?: string; password?: string; config?: string }): Promise<DovecotServer> {
  const user = opts?.user ?? 'casebot';
  const password = opts?.password ?? 'secret';
  // passwd-file is colon-separated and line-based.
  if (/[:\r\n]/.test(user) || /[:\r\n]/.test(password) || user === '') {
    throw new Error('startDovecot: user/password must be non-empty and contain no ":" or newlines');
  }
  if (!fs.existsSync(DOVECOT_BIN)) {
    throw new Error(`startDovecot: ${DOVECOT_BIN} not found (install dovecot-imapd or set DOVECOT_BIN)`);
  }

  const nobodyUid = lookupId('/etc/passwd', 'nobody') ?? 65534;
  const nogroupGid = lookupId('/etc/group', 'nogroup') ?? lookupId('/etc/group', 'nobody') ?? 65534;
  // dovenull is the Debian login user; fall back to nobody if the package did not create it.
  const loginUser = lookupId('/etc/passwd', 'dovenull') !== undefined ? 'dovenull' : 'nobody';
  // The Debian "dovecot" user runs auth so the auth penalty can be switched off (see config).
  const authUser = lookupId('/etc/passwd', 'dovecot') !== undefined ? 'dovecot' : null;
  const authGid = lookupId('/etc/group', 'dovecot') ?? 0;

  const baseDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'dvc-'));
  const inst: Instance = { instanceName: `casebot-${path.basename(baseDir)}`, baseDir, running: null };
  track(inst);

  const maildir = path.join(baseDir, 'Maildir');
  const home = path.join(baseDir, 'home');
  const confPath = path.join(baseDir, 'dovecot.conf');
  const passwdFile = path.join(baseDir, 'users');
  const logPath = path.join(baseDir, 'dovecot.log');
  const stderrPath = path.join(baseDir, 'dovecot.stderr');
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await stopProcess(inst);
    } finally {
      untrack(inst);
      await fsp.rm(baseDir, { recursive: true, force: true, maxRetries: 3 });
    }
  };

  let port = 0;
  try {
    if (baseDir.length > MAX_BASE_DIR_LEN) {
      throw new Error(`startDovecot: temp dir path too long for unix sockets: ${baseDir}`);
    }
    // mkdtemp makes 0700; the mail processes (nobody) must traverse it to reach the Maildir.
    await fsp.chmod(baseDir, 0o755);
    checkTraversable(maildir);
    for (const dir of [maildir, home]) {
      await fsp.mkdir(dir, { mode: 0o700 });
      await fsp.chown(dir, nobodyUid, nogroupGid);
    }
    await fsp.mkdir(path.join(baseDir, 'run'), { mode: 0o755 });
    await fsp.mkdir(path.join(baseDir, 'state'), { mode: 0o755 });
    // uid/gid/home come from userdb override_fields; the file only carries the password.
    await fsp.writeFile(passwdFile, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o640 });
    // The auth process reads the passwd-file, so its group must be able to.
    await fsp.chown(passwdFile, 0, authUser === null ? 0 : authGid);

    let lastError: Error | undefined;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      port = await findFreePort();
      await fsp.writeFile(
        confPath,
        buildConfig({ baseDir, port, instanceName: inst.instanceName, loginUser, authUser, passwdFile, maildir, home }) +
          (opts?.config ?? ''),
      );
      if (attempt === 0) await validateConfig(confPath);
      inst.running = spawnDovecot(confPath, stderrPath);
      try {
        await waitReady(inst.running, port, logPath, stderrPath);
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err instanceof Error ? err : new Error(String(err));
        await stopProcess(inst);
        // Only a lost race for the port is worth another attempt.
        if (!/Address already in use/.test(tailOf(logPath) + tailOf(stderrPath))) break;
        await fsp.writeFile(logPath, '');
        await fsp.writeFile(stderrPath, '');
      }
    }
    if (lastError !== undefined) throw lastError;
  } catch (err) {
    await stop();
    throw err;
  }

  const restart = async (): Promise<void> => {
    if (stopped) throw new Error('restart(): server was already stopped');
    await stopProcess(inst);
    // Dovecot binds with SO_REUSEADDR, but a still-listening straggler would block it.
    for (let i = 0; i < PORT_FREE_TRIES && !(await isPortFree(port)); i++) {
      await sleep(PORT_FREE_INTERVAL_MS);
    }
    inst.running = spawnDovecot(confPath, stderrPath);
    await waitReady(inst.running, port, logPath, stderrPath);
  };

  return { host: HOST, port, user, password, maildir, baseDir, stop, restart };
}
