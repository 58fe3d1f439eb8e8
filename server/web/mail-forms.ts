import { z } from 'zod';
import { MAIL_TAGS, type MailPreferences, type MailTag } from '../mail/preferences';

const choice = z.enum(['email', 'ignore'], { error: 'Choose Email or Ignore.' }).default('email');

/** The mail preferences form: every field is sent by the page, so a missing one means its default. */
export const MailPreferencesForm = z
  .object({
    enabled: z.enum(['on', 'off'], { error: 'Choose whether Trellis sends you mail.' }).default('on'),
    selfActions: z.enum(['send', 'skip'], { error: 'Choose whether to get mail about your own actions.' }).default('skip'),
    digestMinutes: z
      .string({ error: 'Send the digest interval once, as text.' })
      .trim()
      .default('')
      .refine((v) => v === '' || (/^[0-9]{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= 1440), 'Give a number of minutes from 1 to 1440, or leave it empty.'),
    ...Object.fromEntries(MAIL_TAGS.map((tag) => [`tag_${tag}`, choice])),
  })
  .transform(
    (f): MailPreferences => ({
      enabled: f.enabled === 'on',
      selfActions: f.selfActions === 'send',
      digestMinutes: f.digestMinutes === '' ? null : Number(f.digestMinutes),
      ignored: MAIL_TAGS.filter((tag) => (f as Record<string, unknown>)[`tag_${tag}`] === 'ignore') as MailTag[],
    }),
  );

export const MuteForm = z.object({
  action: z.enum(['mute', 'unmute'], { error: 'Choose mute or unmute.' }),
});
