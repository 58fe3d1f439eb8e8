import fs from 'node:fs';
import { findNodeAtLocation, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';

/**
 * Reads the TRELLIS_CONFIG file so that every problem can name where it is:
 * "config.json:12:7: statuses.2.key: …", as compilers do, so an editor jumps to it.
 */
export interface ConfigFile {
  path: string;
  text: string;
  /** The parsed JSON; undefined when the text is not JSON. */
  value: unknown;
  /** Problems of the text itself (syntax), already placed. */
  syntax: string[];
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

export function readConfigFile(where: string): ConfigFile {
  const text = fs.readFileSync(where, 'utf8');
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  // Only the first: what follows a syntax error is mostly its echo.
  const syntax = errors.slice(0, 1).map((e) => `${where}:${lineColumn(text, e.offset)}: not valid JSON (${printParseErrorCode(e.error)})`);
  return { path: where, text, value: syntax.length || !tree ? undefined : JSON.parse(text), syntax };
}

/**
 * "file:line:column: path: message" for a problem at a path of the file; the
 * position is the deepest part of the path the file has (a missing key is placed at its object).
 */
export function placeProblem(file: ConfigFile, at: (string | number)[], message: string): string {
  const tree = parseTree(file.text);
  let node = tree;
  for (let n = at.length; n >= 0 && tree; n--) {
    node = findNodeAtLocation(tree, at.slice(0, n));
    if (node) break;
  }
  // A key's problem points at the key itself rather than its value.
  const offset = node?.parent?.type === 'property' ? node.parent.offset : (node?.offset ?? 0);
  const label = at.length ? `${at.join('.')}: ` : '';
  return `${file.path}:${lineColumn(file.text, offset)}: ${label}${message}`;
}

/** A problem already written as "a.0.b: message" (the mail section's), placed in the file. */
export function placeWritten(file: ConfigFile, problem: string): string {
  const colon = problem.indexOf(': ');
  const at = problem.slice(0, colon).split('.').map((k) => (/^[0-9]+$/.test(k) ? Number(k) : k));
  return placeProblem(file, at, problem.slice(colon + 2));
}

export function zodFileProblems(file: ConfigFile, error: z.ZodError): string[] {
  return error.issues.map((i) => placeProblem(file, i.path as (string | number)[], i.message));
}
