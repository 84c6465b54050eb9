import { protocolSections } from '../generated/protocol-sections.ts';
import { escapeMarkup as e } from './escape.ts';

/** The section numbers a rule's `ref` cites ("§2.5, FAQ" → ["2.5"]). */
export function citedSections(ref: string): string[] {
  return [...ref.matchAll(/§(\d+(?:\.\d+)?)/g)].map((m) => m[1] as string);
}

/** A rule's `ref` with each section a link to its excerpt in the same report. */
export function refLinks(ref: string): string {
  return e(ref).replace(/§(\d+(?:\.\d+)?)/g, (all, n: string) =>
    protocolSections[n] === undefined ? all : `<a href="#protocol-${n}">${all}</a>`,
  );
}

/** Inline Markdown: code spans, bold, and links reduced to their text (the report is read offline). */
function inline(text: string): string {
  return e(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');
}

/** The small Markdown the protocol reference uses: headings, paragraphs, bullet and numbered lists. */
function render(markdown: string): string {
  const html: string[] = [];
  for (const block of markdown.split(/\n\s*\n/)) {
    const lines = block.split('\n');
    const heading = /^(#{2,3}) (.*)$/.exec(lines[0] ?? '');
    if (heading) html.push(`<h3>${inline(heading[2] as string)}</h3>`);
    const rest = heading ? lines.slice(1) : lines;
    if (rest.length === 0) continue;
    if (rest.every((line) => /^\s*(- |\d+\. |\s)/.test(line)) && /^(- |\d+\. )/.test(rest[0] ?? '')) {
      const items = rest.join('\n').split(/\n(?=- |\d+\. )/);
      html.push(`<ul>${items.map((item) => `<li>${inline(item.replace(/^(- |\d+\. )/, ''))}</li>`).join('')}</ul>`);
    } else html.push(`<p>${inline(rest.join(' '))}</p>`);
  }
  return html.join('\n');
}

/**
 * The protocol reference's sections these refs cite, each once, in order: a chapter ("§1") brings its
 * subsections. Empty when none is cited.
 */
export function protocolAppendix(refs: string[]): string {
  const wanted = new Set(refs.flatMap(citedSections));
  const numbers = Object.keys(protocolSections).filter((n) => wanted.has(n) || wanted.has(n.split('.')[0] as string));
  if (numbers.length === 0) return '';
  const sections = numbers.map(
    (n) => `<section id="protocol-${n}" class="protocol">${render(protocolSections[n] as string)}</section>`,
  );
  return `<h2>What the protocol says</h2>
<p class="muted">The sections of the project's protocol reference (docs/protocol.md) the rules above cite, with each fact's source and confidence: [C] confirmed by OneNET's documents or SDK, [C-comm] seen in community code or captures, [I] inferred.</p>
${sections.join('\n')}`;
}
