// Renders a job summary (GitHub-flavoured Markdown) to an HTML page with markdown-it, the way
// GitHub shows it: tables, raw <details>, autolinks, and ```mermaid blocks as <pre lang="mermaid">
// (GitHub's markup, which its page then draws as a diagram).
//
//   node render_summary.mjs MODULES_DIR SUMMARY.md OUT.html [--check]
//
// MODULES_DIR holds node_modules (scripts/render_summary.sh installs it with npm ci). --check
// also asserts what a reader must see: the checks and findings tables and the mermaid block.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [modules, input, output, flag] = process.argv.slice(2);
if (!modules || !input || !output) {
  console.error('usage: node render_summary.mjs MODULES_DIR SUMMARY.md OUT.html [--check]');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'package.json'));
const MarkdownIt = require('markdown-it');

const md = new MarkdownIt({ html: true, linkify: true });
const fence = md.renderer.rules.fence;
md.renderer.rules.fence = (tokens, index, options, env, self) => {
  const token = tokens[index];
  if (token.info.trim() !== 'mermaid') return fence(tokens, index, options, env, self);
  return `<pre lang="mermaid"><code>${md.utils.escapeHtml(token.content)}</code></pre>\n`;
};

const body = md.render(readFileSync(input, 'utf8'));
writeFileSync(output, `<!doctype html>
<html><head><meta charset="utf-8"><title>alembic-gate job summary</title>
<style>
body { font-family: -apple-system, "Segoe UI", sans-serif; max-width: 1012px; margin: 2em auto; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: 6px 13px; }
pre { background: #f6f8fa; padding: 16px; overflow: auto; }
</style></head><body>
${body}</body></html>
`);

if (flag === '--check') {
  const failures = [];
  const expect = (condition, what) => { if (!condition) failures.push(what); };
  const tables = body.match(/<table>[\s\S]*?<\/table>/g) ?? [];
  const headers = tables.map((table) => (table.match(/<th[\s>][^<]*<\/th>/g) ?? [])
    .map((cell) => cell.replace(/<[^>]+>/g, '')).join(','));
  expect(headers.includes('check,status,duration,errors,warnings,notices'), 'the checks table');
  expect(headers.includes('severity,check,rule,location,message'), 'the findings table');
  for (const table of tables) {
    const columns = (table.match(/<th[\s>]/g) ?? []).length;
    for (const row of table.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
      expect((row.match(/<t[dh][\s>]/g) ?? []).length === columns, `a row of ${columns} cells: ${row}`);
    }
  }
  expect(/<pre lang="mermaid"><code>flowchart TB\n/.test(body), 'the mermaid block');
  expect(/:::head/.test(body), 'heads marked in the graph');
  expect(/<details[^>]*><summary>Revision graph/.test(body), 'the graph inside <details>');
  expect(!/^\|.*\|$/m.test(body), 'no table left as plain text');
  // What a project controls must stay text (tests/support/sample_report.cc, hostile_report()):
  // its word PWNED may stand only in text, inside elements the summary makes itself.
  const ours = /^(details>)?(p(>code)?|table>tbody>tr>td(>a)?(>code)?|summary>code|pre>code)$/;
  const blobLink = /^<a href="https:\/\/github\.com\/octo\/shop\/blob\//;
  const voids = new Set(['br', 'img', 'hr', 'input']);
  const open = [];
  for (const part of body.split(/(<[^>]*>)/)) {
    const tag = part.match(/^<(\/?)([a-zA-Z0-9]+)/);
    if (tag) {
      expect(!part.includes('PWNED') || blobLink.test(part), `no tag made of a project's text: ${part}`);
      const name = tag[2].toLowerCase();
      if (tag[1] === '/') {
        const at = open.lastIndexOf(name);
        if (at >= 0) open.length = at;
      } else if (!voids.has(name)) {
        open.push(name);
      }
    } else if (part.includes('PWNED')) {
      const where = open.join('>');
      expect(ours.test(where), `a project's text only as text: inside ${where}: ${part.trim()}`);
    }
  }
  if (failures.length > 0) {
    console.error(`${input}: missing or wrong:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`${input}: ${tables.length} tables, the mermaid block; written to ${output}`);
}
