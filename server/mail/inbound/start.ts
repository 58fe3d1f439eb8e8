import { ConfigError } from '../../config-error';
import { logLine } from '../../log';
import type { AppDeps } from '../../web/deps';
import { InboundListener } from './listener';
import { queueRefusal } from './refusal';

/** Why the configured address can not be listened on, in the words of the configuration; null for errors nobody can act on. */
function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): string | null {
  if (err.code === 'EADDRINUSE') return `TRELLIS_CONFIG mail.inbound.port: ${port} is in use on ${host} by another program; choose another port.`;
  if (err.code === 'EACCES') return `TRELLIS_CONFIG mail.inbound.port: Trellis may not listen on ${port} (ports below 1024 need privileges); choose another port and forward to it.`;
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return `TRELLIS_CONFIG mail.inbound.host: ${host} is not an address of this machine.`;
  return null;
}

/** Starts the inbound listener when the configuration asks for one; null otherwise. */
export async function startInboundMail(deps: AppDeps): Promise<InboundListener | null> {
  const { mail } = deps.config;
  if (!mail.inbound) return null;
  const listener = new InboundListener({ db: deps.db, tracker: deps.tracker, log: deps.log, refuse: queueRefusal }, { mail, secret: deps.secret });
  try {
    const { address, port } = await listener.listen();
    deps.log(logLine({ level: 'info', msg: `Trellis is receiving mail for ${mail.replyDomain} on ${address}:${port}` }));
    return listener;
  } catch (err) {
    const problem = listenProblem(err as NodeJS.ErrnoException, mail.inbound.host, mail.inbound.port);
    throw problem ? new ConfigError([problem]) : err;
  }
}
