import type { User } from './user';

/**
 * The mail that account changes send, in the outbox's shape. It is all
 * `mandatory`: a person who turned mail off still gets their reset link.
 */
export interface AccountMail {
  kind: 'password-reset' | 'welcome' | 'verify-email';
  to: string[];
  subject: string;
  text: string;
  userId: number;
  mandatory: true;
}

const SIGNATURE = '\n-- \nTrellis\n';

function greeting(user: User): string {
  return `Hello ${user.realname || user.username},`;
}

export function resetMail(user: User, email: string, url: string): AccountMail {
  return {
    kind: 'password-reset',
    to: [email],
    subject: '[Trellis] Account Password Link',
    userId: user.id,
    mandatory: true,
    text: [
      greeting(user),
      '',
      `Someone (hopefully you) asked to reset the password of the Trellis account "${user.username}".`,
      'Follow this link within an hour to log in and choose a new password:',
      '',
      `  ${url}`,
      '',
      'The link works once. If your account has a second factor, you will be asked for a code first.',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
      SIGNATURE,
    ].join('\n'),
  };
}

export function welcomeMail(user: User, email: string, url: string, admin: User): AccountMail {
  return {
    kind: 'welcome',
    to: [email],
    subject: '[Trellis] Welcome to Trellis',
    userId: user.id,
    mandatory: true,
    text: [
      greeting(user),
      '',
      `${admin.realname || admin.username} made you a Trellis account with the username "${user.username}".`,
      'Follow this link within seven days to choose your password and log in:',
      '',
      `  ${url}`,
      '',
      'The link works once.',
      SIGNATURE,
    ].join('\n'),
  };
}

export function verifyEmailMail(user: User, email: string, url: string): AccountMail {
  return {
    kind: 'verify-email',
    to: [email],
    subject: '[Trellis] Verify Your Email Address',
    userId: user.id,
    mandatory: true,
    text: [
      greeting(user),
      '',
      `To use ${email} as the address of the Trellis account "${user.username}", follow this link within a day:`,
      '',
      `  ${url}`,
      '',
      'Until then, mail and password resets keep going to the address the account has now.',
      'If you did not ask for this, ignore this mail.',
      SIGNATURE,
    ].join('\n'),
  };
}
