import { z } from 'zod';

/**
 * The mail part of the TRELLIS_CONFIG file: `mailers` in the shape of
 * Phabricator's `cluster.mailers`, and `mail` for the sender, the reply domain
 * and the inbound listener. Passwords may be written as "$ENV_NAME" so the
 * file itself holds no secret; they are read from the environment at boot.
 */

const SmtpOptions = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(25),
    /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Milliseconds to wait for a connection, a greeting or an answer before counting the attempt as temporary. */
    timeout: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict();

export const MailerFileEntry = z
  .object({
    key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, "-" or "_"'),
    type: z.literal('smtp'),
    /** Higher is tried first; mailers of equal priority are shuffled to spread the load. */
    priority: z.number().int().default(0),
    inbound: z.boolean().default(true),
    outbound: z.boolean().default(true),
    options: SmtpOptions,
  })
  .strict();

export const MailFileSection = z
  .object({
    from: z.string().min(3).default('Trellis <trellis@localhost>'),
    replyDomain: z.string().regex(/^[a-z0-9.-]+$/i, 'must be a domain name').optional(),
    inbound: z
      .object({ host: z.string().min(1).default('0.0.0.0'), port: z.number().int().min(0).max(65535) })
      .strict()
      .optional(),
    createAddress: z.string().email().optional(),
    maxMessageBytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
  })
  .strict();

export interface SmtpMailer {
  key: string;
  type: 'smtp';
  priority: number;
  inbound: boolean;
  outbound: boolean;
  options: { host: string; port: number; secure: boolean; user?: string; password?: string; timeout: number };
}

export interface MailConfig {
  from: string;
  replyDomain: string | null;
  inbound: { host: string; port: number } | null;
  createAddress: string | null;
  maxMessageBytes: number;
  mailers: SmtpMailer[];
}

/** Checks what the schemas can not (unique keys, environment secrets) and lists every problem. */
export function buildMailConfig(
  mailers: z.infer<typeof MailerFileEntry>[],
  mail: z.infer<typeof MailFileSection> | undefined,
  env: NodeJS.ProcessEnv,
): { config: MailConfig; problems: string[] } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const resolved = mailers.map((m, i): SmtpMailer => {
    if (seen.has(m.key)) problems.push(`mailers.${i}.key: "${m.key}" is used by another mailer`);
    seen.add(m.key);
    let password = m.options.password;
    if (password?.startsWith('$')) {
      const name = password.slice(1);
      password = env[name];
      if (!password) problems.push(`mailers.${i}.options.password: the environment variable ${name} is not set`);
    }
    if (password && !m.options.user) problems.push(`mailers.${i}.options: a password needs a user`);
    return { ...m, options: { ...m.options, password } };
  });
  const section = mail ?? MailFileSection.parse({});
  if (section.inbound && !section.replyDomain) problems.push('mail.inbound: needs mail.replyDomain, the domain reply addresses are made at');
  if (section.createAddress && !section.inbound) problems.push('mail.createAddress: needs mail.inbound, the listener that receives it');
  return {
    problems,
    config: {
      from: section.from,
      replyDomain: section.replyDomain ?? null,
      inbound: section.inbound ?? null,
      createAddress: section.createAddress ?? null,
      maxMessageBytes: section.maxMessageBytes,
      mailers: resolved,
    },
  };
}
