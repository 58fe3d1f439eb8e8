import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../users/passwords';

/** Forms of the account pages: sign-in steps, settings, people. One schema per form. */

const text = z.string({ error: 'Send this field once, as text.' });

export const CodeForm = z.object({
  code: text.trim().min(1, 'Enter a code.').max(64, 'That code is too long.'),
  next: z.string().optional(),
});

export const NewPassword = z
  .string({ error: 'Enter a new password.' })
  .min(MIN_PASSWORD_LENGTH, `Passwords are at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(1024, 'Passwords are at most 1024 characters.');

export const SetPasswordForm = z
  .object({ password: NewPassword, confirm: text.optional() })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'The two passwords differ.' });

export const ChangePasswordForm = z
  .object({ current: text.min(1, 'Enter your current password.').max(1024), password: NewPassword, confirm: text.optional(), mfa_code: text.optional() })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'The two passwords differ.' });

export const RealnameForm = z.object({
  realname: text.trim().max(255, 'Real names are at most 255 characters.'),
});

export const EmailForm = z.object({
  email: text.trim().max(255, 'Addresses are at most 255 characters.').pipe(z.email('Enter a valid email address.')),
  current: text.min(1, 'Enter your current password.').max(1024),
  mfa_code: text.optional(),
});

export const ResetRequestForm = z.object({
  email: text.trim().min(1, 'Enter your email address.').max(255, 'Addresses are at most 255 characters.'),
});

export const SensitiveForm = z.object({ mfa_code: text.optional() });

export const NewAccountForm = z.object({
  username: text.optional(),
  realname: text.optional(),
  email: text.optional(),
  role: text.optional(),
});
