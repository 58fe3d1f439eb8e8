import { z } from 'zod';
import { ROLES, type Role } from './roles';
import { MIN_PASSWORD_LENGTH } from './passwords';

export interface User {
  id: number;
  /** PHID-USER-…, how the Conduit API names people. */
  phid: string;
  username: string;
  realname: string;
  email: string | null;
  role: Role;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const Username = z
  .string()
  .trim()
  .min(1, 'Choose a username.')
  .max(64, 'Usernames are at most 64 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, ".", "_" and "-", starting with a letter or digit.')
  .refine((name) => !/[._-]$/.test(name), 'A username cannot end with ".", "_" or "-".');

export const NewAccount = z.object({
  username: Username,
  realname: z.string().trim().max(255, 'Real names are at most 255 characters.').default(''),
  email: z
    .string()
    .trim()
    .max(255)
    .transform((v) => v || null)
    .pipe(z.email('Enter a valid email address.').nullable())
    .default(null),
  role: z.enum(ROLES, { error: 'Choose one of: reader, engineer, maintainer, admin.' }),
  password: z.string().min(MIN_PASSWORD_LENGTH, `Passwords are at least ${MIN_PASSWORD_LENGTH} characters.`).max(1024),
});
export type NewAccount = z.infer<typeof NewAccount>;
