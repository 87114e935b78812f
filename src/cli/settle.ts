/**
 * npm run --silent settle [-- --summary] < scenario.json
 *
 * Reads a settlement scenario (../shared/SETTLE-FORMAT.md) on standard input and writes the
 * result as JSON on standard output. Bad input: exit 2 with {"error": {code, path, message}}.
 */
import { builtinPack, RulesError, runScenario } from '../rules/index.ts';

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function fail(code: string, path: string, message: string, exit = 2): never {
  process.stdout.write(JSON.stringify({ error: { code, path, message } }) + '\n');
  process.exit(exit);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--summary');
  if (unknown.length > 0) fail('usage', 'argv', `未知参数 ${unknown.join(' ')} (usage: settle [--summary] < scenario.json)`);
  const summary = args.includes('--summary');
  const text = await readStdin();
  let input: unknown;
  try {
    input = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    fail('json', '', `输入不是有效的 JSON (input is not valid JSON: ${(e as Error).message})`);
  }
  try {
    const out = runScenario(input, builtinPack, !summary);
    process.stdout.write(JSON.stringify(out) + '\n');
  } catch (e) {
    if (e instanceof RulesError) fail(e.code, e.path, e.detail);
    fail('internal', '', `内部错误 (internal error: ${(e as Error).message})`, 1);
  }
}

void main();
