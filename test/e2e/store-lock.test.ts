// One casebot per store, between real processes: a second `run` on a store another casebot is
// working is refused with one line naming the holder; a read-only command still runs beside it;
// and a holder killed with SIGKILL leaves nothing held.

import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { busyMailbox } from '../helpers/busy-mailbox';
import { writeTestConfig } from '../helpers/test-config';

const bin = path.join(__dirname, '../../bin/casebot.js');
// The portal password set, so nothing but the refusal is written to stderr.
const env = { ...process.env, CASEBOT_TEST_PORTAL_TIANJIN: 'x' };
const casebot = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { env, timeout: 60000, encoding: 'utf8' });

test('a second casebot on the same store is refused until the first is SIGKILLed', async () => {
  const { root } = await busyMailbox(3, 2);
  const config = writeTestConfig({ maildir: root });
  const store = path.join(path.dirname(config), 'casebot.sqlite');

  const first = spawn(process.execPath, [bin, 'run', '-q', '-c', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => first.on('exit', resolve));
  try {
    let out = '';
    first.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 150 && !out.includes('casebot on'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`store ${store}`);

    const second = casebot('run', '--once', '-q', '-c', config);
    expect(second.stderr).toBe(`casebot: another casebot (pid ${first.pid}) is running on ${store}\n`);
    expect(second.status).toBe(1);
    expect(casebot('quarantine', 'list', '-c', config).status).toBe(0); // read-only: not refused
  } finally {
    first.kill('SIGKILL');
    await exited;
  }
  const third = casebot('run', '--once', '-q', '-c', config);
  expect(third.stderr).toBe('');
  expect(third.status).toBe(0);
}, 60000);
