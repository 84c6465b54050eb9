import { describe, expect, it } from 'vitest';
import { agentDevice, consoleLine, consoleSummary, htmlReport, junitReport, runConformance } from '../src/index.ts';

// A mutant that breaks a MUST (TOK-001) and a SHOULD (TOK-002), and passes RNG-006.
const result = await runConformance({
  device: agentDevice({ quirks: ['skip-token-check'] }),
  cases: ['TOK-001', 'TOK-002', 'RNG-006'],
});

describe('reports', () => {
  it('summarise on the console with the closing line CI reads', () => {
    const tok001 = result.cases.find((c) => c.id === 'TOK-001');
    expect(tok001 && consoleLine(tok001)).toMatch(
      /^FAIL {2}TOK-001 .*\n {8}#\d+ downloads with ota_\w+ before any token check/,
    );
    expect(consoleSummary(result)).toBe('38 cases: 1 pass, 1 warn, 1 fail, 35 disabled — does not conform');
  });

  it('write JUnit with one test case per rule and the failure text', () => {
    const xml = junitReport(result);
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="onenet-ota-conformance" tests="38" failures="1" errors="0" skipped="35"',
      ),
    ).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(38);
    expect(xml).toMatch(
      /<failure type="fail" message="#\d+ downloads with ota_\w+ before any token check of it answered 0">/,
    );
    expect(xml).toContain('<system-out>SHOULD broken:');
    // Each case that ran carries its requests, as ota-mock prints them, for CI pages.
    expect(xml.match(/<system-out>/g)).toHaveLength(3);
    expect(xml).toMatch(/Requests:\n\d\d:\d\d:\d\d\.\d{3} dev \d+ +reportVersion/);
    expect(xml).toMatch(/downloadPackage +Range bytes=0-\d+ → 206 \d+ B/);
    // Balanced elements: a quick well-formedness check without an XML parser.
    for (const tag of ['testsuites', 'testsuite', 'testcase']) {
      expect(xml.match(new RegExp(`<${tag}[ >]`, 'g'))?.length).toBe(xml.match(new RegExp(`</${tag}>`, 'g'))?.length);
    }
  });

  it('write one self-contained HTML page with each case, its rule, findings, states and transcript', () => {
    const html = htmlReport(result);
    expect(html).not.toMatch(/<(script|link)\b/);
    for (const c of result.cases) expect(html).toContain(`id="${c.id}"`);
    // Each rule's reference links to the protocol reference's section, quoted at the end of the same file.
    expect(html).toContain('protocol <a href="#protocol-2.3">§2.3</a>');
    const quoted = html.slice(html.indexOf('<section id="protocol-2.3"'));
    expect(quoted.slice(0, quoted.indexOf('</section>'))).toContain('Check the token');
    for (const [, id] of html.matchAll(/href="#(protocol-[\d.]+)"/g)) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('downloading');
    expect(html).toMatch(/GET \/ota\/south\/download\/ota_\w{20}.* Range: bytes=0-4095/);
    expect(html).toContain('sign=&lt;redacted&gt;');
    // Read by people: a failing case opens expanded, the Authorization is shown where it changes, not per row.
    const failing = html.slice(html.indexOf('id="TOK-001"'));
    const section = failing.slice(0, failing.indexOf('</section>'));
    expect(section).toContain('<details open><summary>HTTP transcript');
    const requests = section.match(/<tr><td>\d+/g)?.length ?? 0;
    expect(requests).toBeGreaterThan(3);
    expect(section.match(/Authorization: /g)?.length).toBe(1);
    // RNG-006 corrupts a fragment: its row says so.
    const faulted = result.cases.flatMap((c) => c.transcript).filter((entry) => entry.faults.length > 0);
    expect(faulted.length).toBeGreaterThan(0);
    expect(html.match(/<tr class="faulted">/g)).toHaveLength(faulted.length);
  });

  it("draws each case's download as an inline SVG timeline: a bar per download, the faulted one marked", () => {
    const html = htmlReport(result);
    const rng006 = result.cases.find((c) => c.id === 'RNG-006');
    const section = html.slice(html.indexOf('id="RNG-006"'));
    const svg = section.slice(section.indexOf('<svg class="timeline"'), section.indexOf('</svg>'));
    const downloads = rng006?.transcript.filter((entry) => entry.operation === 'downloadPackage') ?? [];
    expect(downloads.length).toBeGreaterThan(1);
    expect(svg.match(/<rect /g)).toHaveLength(downloads.length);
    expect(svg.match(/⚡/g)).toHaveLength(downloads.filter((entry) => entry.faults.length > 0).length);
    expect(svg).toContain(`Range ${downloads[0]?.request.headers.range}`);
    // The largest package byte is the top of the axis, in the unit people read.
    expect(svg).toMatch(/>\d+ KiB<\/text>/);
  });
});
