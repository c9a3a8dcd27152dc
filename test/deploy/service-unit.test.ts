// The systemd unit in deploy/ is one systemd itself accepts, and it runs casebot the way the
// README's deployment section says: a non-root user, a state directory, secrets from an
// environment file, restart on failure, logs to the journal.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const unit = path.join(__dirname, '../../deploy/casebot.service');

test('systemd-analyze verify accepts the unit', () => {
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  expect(r.error).toBeUndefined();
  expect(r.stderr.trim()).toBe('');
  expect(r.status).toBe(0);
});

test('the unit runs casebot as a service should', () => {
  const text = fs.readFileSync(unit, 'utf8');
  const settings = new Map(text.split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  expect(settings.get('User')).toBe('casebot');
  expect(settings.get('StateDirectory')).toBe('casebot');
  expect(settings.get('EnvironmentFile')).toBe('/etc/casebot/casebot.env');
  expect(settings.get('Restart')).toBe('on-failure');
  expect(settings.get('StandardOutput')).toBe('journal');
  expect(settings.get('ExecStart')).toMatch(/bin\/casebot\.js run -c \/etc\/casebot\/casebot\.yaml$/);
});

test('the example environment file names every secret the example config asks for', () => {
  const env = fs.readFileSync(path.join(__dirname, '../../deploy/casebot.env.example'), 'utf8');
  const config = fs.readFileSync(path.join(__dirname, '../../config/casebot.example.yaml'), 'utf8');
  const asked = [...config.matchAll(/^\s*(?:#\s*)?\w+Env:\s*([A-Z_][A-Z0-9_]*)/gm)].map((m) => m[1]!);
  expect(asked.length).toBeGreaterThan(2);
  for (const name of asked) expect(env).toContain(name);
});
