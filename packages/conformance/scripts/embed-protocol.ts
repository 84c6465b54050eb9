// Embeds docs/protocol.md, section by section, in src/generated/protocol-sections.ts: the HTML report quotes the
// sections its rules cite, so a report read anywhere (a CI artifact, a mail) carries the reference with it. Runs
// with `pnpm run generate`: on install, at the start of `pnpm test` and before packing.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const markdown = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
const sections: Record<string, string> = {};
// Each section opens with `<a id="s2.4"></a>` and runs to the next anchor.
const parts = markdown.split(/<a id="s([\d.]+)"><\/a>/);
for (let i = 1; i < parts.length; i += 2) sections[parts[i] as string] = (parts[i + 1] ?? '').trim();
const source = `// Generated from docs/protocol.md by scripts/embed-protocol.ts. Do not edit: change docs/protocol.md instead.
/** The protocol reference's sections by number ("2.4"), as Markdown. */
export const protocolSections: Readonly<Record<string, string>> = ${JSON.stringify(sections, null, 1)};
`;
const outDir = new URL('../src/generated/', import.meta.url);
const out = new URL('protocol-sections.ts', outDir);
mkdirSync(outDir, { recursive: true });
if (!existsSync(out) || readFileSync(out, 'utf8') !== source) {
  writeFileSync(new URL('protocol-sections.ts.tmp', outDir), source);
  renameSync(new URL('protocol-sections.ts.tmp', outDir), out);
}
