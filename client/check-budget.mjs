// Fails the build when the client's JavaScript, gzipped, exceeds the budget.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 50 * 1024;
const dist = fileURLToPath(new URL('./dist', import.meta.url));

/** Every file under `dir`, recursively. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

let all;
try {
  all = files(dist);
} catch {
  console.error(`check-budget: ${dist} is missing; run the client build first`);
  process.exit(1);
}

const js = all.filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
if (js.length === 0) {
  console.error('check-budget: no JavaScript found in client/dist');
  process.exit(1);
}

let total = 0;
for (const file of js) {
  const size = gzipSync(readFileSync(file), { level: 9 }).length;
  total += size;
  console.log(`  ${file.slice(dist.length + 1)}  ${(size / 1024).toFixed(1)} KB gz`);
}
const verdict = total <= BUDGET ? 'ok' : 'OVER BUDGET';
console.log(`client JS: ${(total / 1024).toFixed(1)} KB gz of ${BUDGET / 1024} KB budget: ${verdict}`);
if (total > BUDGET) process.exit(1);
