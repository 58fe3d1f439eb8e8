import type { Change } from '../../tasks/events/types';
import type { Tracker } from '../../tasks/task';
import type { Actor } from '../../users/roles';

/**
 * `!commands` in a mail: lines of their own at the top or the bottom of the
 * new text. A line starting with "!" in the middle is prose and stays in the
 * comment.
 */

export interface MailCommand {
  /** The line as written, to quote back in a refusal. */
  line: string;
  name: string;
  args: string[];
}

export interface SplitBody {
  commands: MailCommand[];
  text: string;
}

function isCommandLine(line: string): boolean {
  const s = line.trim();
  const c = s.charCodeAt(1);
  // "!" and a letter: "!!!" or "! see below" are prose.
  return s.startsWith('!') && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122));
}

function toCommand(line: string): MailCommand {
  const [word, ...args] = line.trim().split(/\s+/);
  return { line: line.trim(), name: word!.slice(1).toLowerCase(), args };
}

/** Separates the command lines at the top and the bottom from the text around them. */
export function splitCommands(body: string): SplitBody {
  const lines = body.split('\n');
  let top = 0;
  while (top < lines.length && (!lines[top]!.trim() || isCommandLine(lines[top]!))) top++;
  let bottom = lines.length;
  while (bottom > top && (!lines[bottom - 1]!.trim() || isCommandLine(lines[bottom - 1]!))) bottom--;
  const commandLines = [...lines.slice(0, top), ...lines.slice(bottom)].filter(isCommandLine);
  return { commands: commandLines.map(toCommand), text: lines.slice(top, bottom).join('\n').trim() };
}

interface CommandSpec {
  usage: string;
  help: (tracker: Tracker) => string;
  /** The change it asks for, or a sentence saying why the line is not understood. */
  change: (args: string[], actor: Actor, tracker: Tracker) => Change | string;
}

/** The status `!close` closes with: the first closed status a person may pick. */
function closeStatus(tracker: Tracker): string | undefined {
  return tracker.pickableStatuses.find((s) => s.closed)?.key;
}

const noArgs = (name: string, args: string[]) => (args.length ? `!${name} takes nothing after it.` : null);
const oneArg = (usage: string, args: string[]) => (args.length === 1 ? null : `Write it as "${usage}".`);

const COMMANDS: Record<string, CommandSpec> = {
  close: {
    usage: '!close',
    help: (t) => `Close the task (as ${t.statusName(closeStatus(t) ?? '')}).`,
    change: (args, _actor, t) => noArgs('close', args) ?? (closeStatus(t) ? { type: 'status', value: closeStatus(t) } : 'This install has no status to close tasks with.'),
  },
  claim: {
    usage: '!claim',
    help: () => 'Assign the task to yourself.',
    change: (args, actor) => noArgs('claim', args) ?? { type: 'owner', value: actor.id },
  },
  assign: {
    usage: '!assign USERNAME',
    help: () => 'Assign the task to someone.',
    change: (args) => oneArg('!assign USERNAME', args) ?? { type: 'owner', value: args[0] },
  },
  priority: {
    usage: '!priority KEYWORD',
    help: (t) => `Set the priority: ${t.priorities.map((p) => p.keyword).join(', ')}.`,
    change: (args) => oneArg('!priority KEYWORD', args) ?? { type: 'priority', value: args[0] },
  },
  status: {
    usage: '!status KEY',
    help: (t) => `Set the status: ${t.pickableStatuses.map((s) => s.key).join(', ')}.`,
    change: (args) => oneArg('!status KEY', args) ?? { type: 'status', value: args[0] },
  },
  subscribe: {
    usage: '!subscribe [USERNAME …]',
    help: () => 'Subscribe yourself, or the people named.',
    change: (args, actor) => ({ type: 'subscribers', value: { add: args.length ? args : [actor.id] } }),
  },
  unsubscribe: {
    usage: '!unsubscribe [USERNAME …]',
    help: () => 'Unsubscribe yourself, or the people named.',
    change: (args, actor) => ({ type: 'subscribers', value: { remove: args.length ? args : [actor.id] } }),
  },
};

export interface CommandChanges {
  changes: Change[];
  /** Lines that are not commands or are written wrongly, each with what is wrong. */
  problems: { line: string; message: string }[];
  /** The command line behind each changed field, to name it when the editor refuses that field. */
  lineOfField: Map<string, string>;
}

export function commandChanges(commands: MailCommand[], actor: Actor, tracker: Tracker): CommandChanges {
  const out: CommandChanges = { changes: [], problems: [], lineOfField: new Map() };
  for (const command of commands) {
    const spec = Object.hasOwn(COMMANDS, command.name) ? COMMANDS[command.name] : undefined;
    if (!spec) {
      out.problems.push({ line: command.line, message: `"!${command.name}" is not a command.` });
      continue;
    }
    const change = spec.change(command.args, actor, tracker);
    if (typeof change === 'string') {
      out.problems.push({ line: command.line, message: change });
      continue;
    }
    out.changes.push(change);
    out.lineOfField.set(change.type, command.line);
  }
  return out;
}

/** The list of commands, as a refusal explains them. */
export function commandHelp(tracker: Tracker): string[] {
  const specs = Object.values(COMMANDS);
  const width = Math.max(...specs.map((s) => s.usage.length));
  return specs.map((s) => `  ${s.usage.padEnd(width)}  ${s.help(tracker)}`);
}
