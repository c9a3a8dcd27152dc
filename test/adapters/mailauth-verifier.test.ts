// casebot's own DKIM/DMARC check (mailauth), with DNS answered by the test: a signed mail from
// an engineer is proof, the same mail altered or unsigned is not.

import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import { MailauthVerifier } from '../../src/adapters/mailauth/mailauth-verifier';
import { authorizeSender } from '../../src/core/commands/authorize-sender';
import { commandMail } from '../helpers/engineer-mail';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

const dns: Record<string, string[][]> = {
  'casebot._domainkey.cmgos.com': [[`v=DKIM1; k=rsa; p=${publicDer}`]],
  '_dmarc.cmgos.com': [['v=DMARC1; p=reject']],
  'cmgos.com': [['v=spf1 -all']],
};
const resolver = async (name: string, rr: string) => {
  if (rr === 'TXT' && dns[name]) return dns[name];
  throw Object.assign(new Error(`no ${rr} for ${name}`), { code: 'ENOTFOUND' });
};

async function signed(): Promise<Buffer> {
  const mail = await commandMail('回复: [案例号: CAS-06079-G5K3W1 ] /close', { authResults: null });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // The package's typings lag its API: signatureData is what the signer reads.
  const options = { signatureData: [{ signingDomain: 'cmgos.com', selector: 'casebot', privateKey: key }] };
  const { signatures } = await dkimSign(mail, options as unknown as Parameters<typeof dkimSign>[1]);
  return Buffer.concat([Buffer.from(signatures), mail]);
}

const verifier = new MailauthVerifier({ resolver, mta: 'casebot.test' });
const engineers = ['weiliang@cmgos.com'];

test('a DKIM-signed mail from the engineer passes DMARC', async () => {
  const v = await verifier.verify(await signed());
  expect(v.dkimPass).toContain('cmgos.com');
  expect(v.dmarc).toBe('pass');
  expect(authorizeSender('weiliang@cmgos.com', engineers, [v]).allowed).toBe(true);
});

test('the same mail with its subject changed, or not signed at all, is refused', async () => {
  const tampered = Buffer.from((await signed()).toString('utf8').replace('/close', '/reopen'));
  const t = await verifier.verify(tampered);
  expect(t.dkimPass).toEqual([]);
  expect(authorizeSender('weiliang@cmgos.com', engineers, [t]).allowed).toBe(false);
  const unsigned = await verifier.verify(await commandMail('回复: [案例号: CAS-06079-G5K3W1 ] /close', { authResults: null }));
  expect(authorizeSender('weiliang@cmgos.com', engineers, [unsigned]).allowed).toBe(false);
});
