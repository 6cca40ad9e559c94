/**
 * `latent-explorer COMMAND --help`: the general usage text cut down to one command's lines, the
 * paragraph saying what MODEL and DATA may be, and the options that command reads. Cut from the
 * one text rather than kept beside it, so the two cannot disagree.
 */

/** Options every command reading a model and data takes. */
const SESSION_OPTIONS = ['json', 'limit', 'seed', 'label-column', 'backend', 'verbose'];
const PROJECTION_OPTIONS = ['dims', 'perplexity', 'neighbors', 'min-dist', 'threads'];

const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  inspect: ['json', 'backend', 'verbose'],
  data: ['json', 'label-column', 'verbose'],
  encode: SESSION_OPTIONS,
  reconstruct: SESSION_OPTIONS,
  project: [...SESSION_OPTIONS, ...PROJECTION_OPTIONS],
  compare: [...SESSION_OPTIONS, ...PROJECTION_OPTIONS],
  cluster: SESSION_OPTIONS,
  anomalies: SESSION_OPTIONS,
  decode: ['json', 'backend', 'verbose'],
  serve: ['json', 'limit', 'seed', 'label-column', 'backend', 'verbose'],
};

/** One command's help cut from `usage`; null for a name that is no command. */
export function commandHelp(usage: string, command: string): string | null {
  const wanted = COMMAND_OPTIONS[command];
  if (!wanted) return null;
  const blocks = usage.split('\n\n');
  const commands = entries(blocks.find((block) => block.startsWith('commands:')) ?? '', (line) => line.trimStart().split(' ')[0] === command);
  const options = entries(blocks.find((block) => block.startsWith('options:')) ?? '', (line) => wanted.includes(/^\s*--([\w-]+)/.exec(line)?.[1] ?? ''));
  const operands = blocks.find((block) => block.startsWith('MODEL is'));
  return [`usage:\n${commands.join('\n')}`, operands, `options:\n${options.join('\n')}`].filter(Boolean).join('\n\n');
}

/** The line after a usage error: where the usage is, the command's own when it is one. */
export function helpHint(command?: string): string {
  return `run latent-explorer ${command && COMMAND_OPTIONS[command] ? `${command} ` : ''}--help`;
}

/**
 * The entries of a block (its first line is a heading) that `keep` picks. An entry is a line
 * indented by two spaces and the deeper-indented lines that continue it.
 */
function entries(block: string, keep: (line: string) => boolean): string[] {
  const kept: string[] = [];
  let keeping = false;
  for (const line of block.split('\n').slice(1)) {
    if (/^ {2}\S/.test(line)) keeping = keep(line);
    if (keeping) kept.push(line);
  }
  return kept;
}
