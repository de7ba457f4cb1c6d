// Compiles a page with the real MDX 3 compiler (and remark-gfm, which
// Docusaurus enables for tables), runs it with a tiny JSX runtime that
// writes HTML, and prints that HTML. Exits non-zero with the compiler's
// message when the page does not compile. Usage:
//   node render-mdx.mjs [--format md|mdx] PAGE
// `--format mdx` (the default) is Docusaurus 3's `markdown.format: 'mdx'`;
// `--format md` is its 'md' (and 'detect' for a .md page): the same
// compiler with `format: 'md'`, plus rehype-raw so raw HTML becomes
// elements, as Docusaurus's mdx-loader sets it up.
import { compile, run } from '@mdx-js/mdx';
import rehypeRaw from 'rehype-raw';
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

const args = process.argv.slice(2);
const format = args[0] === '--format' ? args[1] : 'mdx';
const path = args[0] === '--format' ? args[2] : args[0];
// What Docusaurus passes through rehype-raw untouched in the 'md' format.
const passThrough = [
  'mdxFlowExpression',
  'mdxJsxFlowElement',
  'mdxJsxTextElement',
  'mdxTextExpression',
  'mdxjsEsm',
];

try {
  const page = await readFile(path, 'utf8');
  const code = String(
    await compile(page, {
      format,
      outputFormat: 'function-body',
      remarkPlugins: [remarkGfm],
      rehypePlugins: format === 'md' ? [[rehypeRaw, { passThrough }]] : [],
    }),
  );
  const { default: Content } = await run(code, { Fragment, jsx, jsxs: jsx, baseUrl: import.meta.url });
  process.stdout.write(html(Content({})));
} catch (error) {
  process.stderr.write(`${error}\n`);
  process.exit(1);
}
