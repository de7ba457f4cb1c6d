// Compiles an MDX page with the real MDX 3 compiler (and remark-gfm, which
// Docusaurus enables for tables), runs it with a tiny JSX runtime that
// writes HTML, and prints that HTML. Exits non-zero with the compiler's
// message when the page is not valid MDX. Usage: node render-mdx.mjs PAGE
import { compile, run } from '@mdx-js/mdx';
import remarkGfm from 'remark-gfm';
import { readFile } from 'node:fs/promises';

const Fragment = Symbol('Fragment');
const escape = (text) =>
  String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function html(node) {
  if (node === null || node === undefined || node === false) return '';
  if (Array.isArray(node)) return node.map(html).join('');
  if (typeof node === 'object' && 'html' in node) return node.html;
  return escape(node);
}

function jsx(type, props) {
  const { children, ...attributes } = props || {};
  if (typeof type === 'function') return type(props || {});
  const inner = html(children);
  if (type === Fragment) return { html: inner };
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escape(value)}"`)
    .join('');
  return { html: `<${type}${attrs}>${inner}</${type}>` };
}

try {
  const page = await readFile(process.argv[2], 'utf8');
  const code = String(
    await compile(page, { outputFormat: 'function-body', remarkPlugins: [remarkGfm] }),
  );
  const { default: Content } = await run(code, { Fragment, jsx, jsxs: jsx, baseUrl: import.meta.url });
  process.stdout.write(html(Content({})));
} catch (error) {
  process.stderr.write(`${error}\n`);
  process.exit(1);
}
