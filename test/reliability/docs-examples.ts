// Reads the worked curl examples out of the Markdown docs: each example is a curl command in a sh code
// block, followed by a line stating what it answers: `# → 200`, optionally with a JSON object the response
// body must contain (`# → 201 {"resourceType":"Patient","gender":"male"}`; objects match by their keys,
// and each item of an expected array must match some item of the actual one).
import fs from 'node:fs';

export interface DocExample {
  file: string;
  /** 1-based line of the command in the file. */
  line: number;
  /** The command as written (continuation lines joined). */
  command: string;
  expected?: { status: number; body?: unknown };
  /** Settings of the server this example needs, from a `# (server started with NAME=value ...)` line before it. */
  serverEnv?: Record<string, string>;
  /**
   * The account whose token `$TOKEN` holds: set by the last `export TOKEN=$(npm run --silent admin -- token
   * <account>)` line of a sh block above the example on its page.
   */
  tokenAccount?: string;
}

const expectation = /^#\s*→\s*(\d{3})\s*(.*)$/;
const startedWith = /^#\s*\(server started with ((?:[A-Z_]+=\S+\s*)+)\)\s*$/;
const tokenExport = /^export TOKEN=\$\(npm run --silent admin -- token ([A-Za-z0-9._-]+)\)$/;

export function readExamples(file: string): DocExample[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const examples: DocExample[] = [];
  let inShell = false;
  let tokenAccount: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      inShell = !inShell && /^```(sh|bash|shell)\s*$/.test(line);
      continue;
    }
    const exported = inShell ? tokenExport.exec(line.trim()) : null;
    if (exported) {
      tokenAccount = exported[1];
      continue;
    }
    if (!inShell || !/^curl\s/.test(line.trim())) {
      continue;
    }
    const start = i;
    let command = line;
    while (!isComplete(command) && i + 1 < lines.length) {
      command += '\n' + lines[++i];
    }
    const example: DocExample = { file, line: start + 1, command, ...(tokenAccount && command.includes('$TOKEN') ? { tokenAccount } : {}) };
    const settings = lines[start - 1]?.trim().match(startedWith);
    if (settings) {
      example.serverEnv = Object.fromEntries(settings[1].trim().split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
    }
    const next = lines[i + 1]?.trim().match(expectation);
    if (next) {
      example.expected = { status: Number(next[1]), body: next[2] ? (JSON.parse(next[2]) as unknown) : undefined };
      i++;
    }
    examples.push(example);
  }
  return examples;
}

/** A command is complete when its quotes are closed and its last line does not end with a backslash. */
function isComplete(command: string): boolean {
  try {
    shellWords(command);
  } catch {
    return false;
  }
  return !/\\$/.test(command);
}

/**
 * The words of a shell command, as sh would split them (single and double quotes, backslash escapes and
 * line continuations), up to an unquoted pipe, redirection or comment. Throws on an unclosed quote.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const add = (text: string): void => {
    word = (word ?? '') + text;
  };
  const end = (): void => {
    if (word !== undefined) {
      words.push(word);
    }
    word = undefined;
  };
  while (i < command.length) {
    const c = command[i];
    if (c === "'") {
      const close = command.indexOf("'", i + 1);
      if (close < 0) {
        throw new Error('unclosed single quote');
      }
      add(command.slice(i + 1, close));
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < command.length && command[j] !== '"') {
        if (command[j] === '\\' && '"\\$`'.includes(command[j + 1])) {
          j++;
        }
        text += command[j++];
      }
      if (j >= command.length) {
        throw new Error('unclosed double quote');
      }
      add(text);
      i = j + 1;
    } else if (c === '\\') {
      if (command[i + 1] !== '\n') {
        add(command[i + 1] ?? '');
      }
      i += 2;
    } else if (/\s/.test(c)) {
      end();
      i++;
    } else if ((c === '|' || c === '>' || c === '#') && word === undefined) {
      break;
    } else {
      add(c);
      i++;
    }
  }
  end();
  return words;
}

/** Whether `actual` holds everything `expected` says (see the file's header). */
export function containsExpected(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.every((e) => actual.some((a) => containsExpected(a, e)));
  }
  if (typeof expected === 'object' && expected !== null) {
    return (
      typeof actual === 'object' &&
      actual !== null &&
      Object.entries(expected).every(([k, v]) => containsExpected((actual as Record<string, unknown>)[k], v))
    );
  }
  return actual === expected;
}
