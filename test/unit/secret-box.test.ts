import { SecretBox } from '../../server/users/mfa/secret-box';
import { resetMail, verifyEmailMail, welcomeMail } from '../../server/users/account-mail';
import type { User } from '../../server/users/user';

const KEY = 'k'.repeat(32);
const OTHER = 'o'.repeat(32);

describe('SecretBox', () => {
  test('seals and opens; every sealing differs; the plain secret is nowhere in it', () => {
    const box = new SecretBox([KEY]);
    const a = box.seal('JBSWY3DPEHPK3PXP', 7);
    const b = box.seal('JBSWY3DPEHPK3PXP', 7);
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a, 7)).toEqual({ plain: 'JBSWY3DPEHPK3PXP', stale: false });
  });

  test('a value copied onto another account, or tampered with, does not open', () => {
    const box = new SecretBox([KEY]);
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 7);
    expect(() => box.open(sealed, 8)).toThrow();
    const parts = sealed.split(':');
    parts[4] = parts[4]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(() => box.open(parts.join(':'), 7)).toThrow();
  });

  test('an older key still opens what it sealed, marked stale to be sealed again; an unknown key is named by its fingerprint', () => {
    const old = new SecretBox([OTHER]).seal('SECRET', 1);
    const both = new SecretBox([KEY, OTHER]);
    expect(both.open(old, 1)).toEqual({ plain: 'SECRET', stale: true });
    expect(both.open(both.seal('SECRET', 1), 1).stale).toBe(false);
    expect(() => new SecretBox([KEY]).open(old, 1)).toThrow(/sealed with a key Trellis does not have \(fingerprint [0-9a-f]{8}\); set MFA_KEY/);
  });
});

describe('account mail', () => {
  const user = { id: 3, username: 'alice', realname: 'Alice Moreau' } as User;
  const admin = { id: 1, username: 'root', realname: '' } as User;

  test('reset, welcome and verification mail are mandatory, addressed to the one address, and carry the link', () => {
    for (const [mail, kind, subject] of [
      [resetMail(user, 'alice@example.com', 'https://t.example/login/once/abc/'), 'password-reset', '[Trellis] Account Password Link'],
      [welcomeMail(user, 'alice@example.com', 'https://t.example/login/once/abc/', admin), 'welcome', '[Trellis] Welcome to Trellis'],
      [verifyEmailMail(user, 'alice@example.com', 'https://t.example/login/once/abc/'), 'verify-email', '[Trellis] Verify Your Email Address'],
    ] as const) {
      expect(mail).toMatchObject({ kind, subject, to: ['alice@example.com'], userId: 3, mandatory: true });
      expect(mail.text).toContain('\n  https://t.example/login/once/abc/\n');
      expect(mail.text.startsWith('Hello Alice Moreau,')).toBe(true);
    }
    expect(welcomeMail(user, 'a@b', 'u', admin).text).toContain('root made you a Trellis account with the username "alice".');
    expect(resetMail(user, 'a@b', 'u').text).toContain('If your account has a second factor, you will be asked for a code first.');
  });
});
