import type { quirks, RunResult } from '../src/index.ts';

/**
 * Cases that say something about the device: not passed, not left out, and not skipped because they do not apply
 * (a rule for another generation) or had nothing to judge (a step 100 the device rightly never sends).
 */
const saysSomething = (c: RunResult['cases'][number]) =>
  c.verdict !== 'pass' &&
  c.verdict !== 'disabled' &&
  !c.findings[0]?.startsWith('does not apply to') &&
  !(c.verdict === 'skip' && c.findings.every((f) => f.endsWith('nothing to judge')));

/** The findings of every case not passed, for an assertion's message: why a matrix differs, not only that it does. */
export const findings = (result: RunResult) =>
  result.cases
    .filter(saysSomething)
    .map((c) => `${c.id} ${c.verdict}: ${c.findings.join(' | ')}`)
    .join('\n');

/**
 * Mutants fetch 16 KiB fragments and the suite is told so (`--fragment-size`): every case keeps its eight and a
 * half fragments, since sizes follow the hint, and the 2 MiB case takes 129 fragments instead of 513. The
 * reference devices are judged at the default 4 KiB.
 */
export const mutantFragmentSize = 16_384;

/** What a run judged other than pass (cases left out aside), as `RULE-ID:verdict`, sorted. */
export const failing = (result: RunResult) =>
  result.cases
    .filter(saysSomething)
    .map((c) => `${c.id}:${c.verdict}`)
    .sort();

// Each mutant is the reference agent with one deliberate mistake. It must fail the rules about that mistake and
// pass the rest. Where a mistake has consequences another rule is about, that rule is listed, with the reason.
export const agentMutants: Record<(typeof quirks)[number], string[]> = {
  // Without token checks the platform never moves the device to downloading, so every report is refused
  // (OneNET FAQ: "校验token的这个流程不要忽略，不然上报状态会失败"), the refused 101 stops it before any restore or
  // install (so no 201 for RNG-004, DIFF-001 and HTTP-001, no 204 for DIFF-002, no new version for RPT-005 to judge),
  // and no token answer (12, 15, 19, 20, 22) is ever seen.
  'skip-token-check': [
    'DIFF-001:fail',
    'DIFF-002:fail',
    'HTTP-001:warn',
    'RNG-004:fail',
    'RPT-001:fail',
    'RPT-002:fail',
    'RPT-003:fail',
    'RPT-004:fail',
    'RPT-005:skip',
    'STRAT-003:fail',
    'TOK-001:fail',
    'TOK-002:warn',
    'TOK-003:fail',
    'TOK-004:fail',
    'TOK-005:fail',
    'TOK-006:fail',
  ],
  'reuse-expired-token': ['TOK-003:fail'],
  'restart-from-zero': ['RNG-002:fail'],
  'ignore-content-range': ['RNG-007:fail'],
  'skip-md5': ['RNG-006:fail'],
  // A 201 without a 101 is refused, so the upgrade never ends succeeded, and no new version is there to report.
  'skip-101': ['RPT-002:fail', 'RPT-003:fail', 'RPT-005:skip'],
  // Its extra, lower step comes right after the answer that said the task was canceled.
  'progress-down': ['RPT-001:warn', 'RPT-004:fail'],
  'ignore-thresholds': ['STRAT-001:fail'],
  'ignore-retry-policy': ['STRAT-002:fail'],
  'report-after-cancel': ['RPT-004:fail', 'TOK-005:fail'],
  // The platform reads such requests, as OneNET's does: a SHOULD, and every case still runs.
  'bare-requests': ['REQ-001:warn'],
};

/**
 * Each mutant is the C reference device built with one `-D` defect (devices/c/src/ota.h), run with the fragment
 * size given. The same reading as above: its own rules, and where the defect has consequences another rule is
 * about, that rule too, with the reason.
 */
export const cMutants: Record<string, { fragmentSize?: number; exclude?: string[]; fails: string[] }> = {
  NO_MD5: { fails: ['RNG-006:fail'] },
  NO_PERSIST: { fails: ['RNG-003:fail'] },
  // The whole-file answer, the error byte and the shifted range all land in its image; so do the two bytes it
  // asks for a one-byte tail (it writes them at the tail, not one byte earlier).
  ANY_2XX: { fails: ['RNG-001:fail', 'RNG-004:fail', 'RNG-005:fail', 'RNG-007:fail', 'RNG-008:fail'] },
  SKIP_LAST_BYTE: { fails: ['RNG-001:fail', 'RNG-008:fail', 'RNG-010:fail'] },
  // With 1 KiB fragments, 5121 bytes ends on a one-byte tail too (the 2 MiB case, 2049 fragments, is left out).
  'SKIP_LAST_BYTE 1024': {
    fragmentSize: 1024,
    exclude: ['RNG-012'],
    fails: ['RNG-001:fail', 'RNG-008:fail', 'RNG-009:fail', 'RNG-010:fail'],
  },
  // OneNET answers a one-byte range with the whole file; it takes its byte from that, so only the request is wrong.
  ONE_BYTE_RANGE: { fails: ['RNG-001:fail'] },
  // A shifted range is a failed fragment too, and it does not ask again.
  NO_RETRY: { fails: ['RNG-002:fail', 'RNG-007:fail', 'STRAT-002:fail'] },
  // What OneNET's own C SDK does: a SHOULD, and every case still reaches its download.
  OMIT_MANUF_MODEL: { fails: ['REQ-001:warn'] },
  // OneNET's nginx reads lines ended by LF alone, and so does the platform: a SHOULD, and every case still runs.
  LF_ONLY: { fails: ['REQ-002:warn'] },
  // Every JSON answer of that case comes chunked, without Content-Length: it reads none, and gives up.
  LENGTH_ONLY: { fails: ['HTTP-001:warn'] },
  NO_DIFF: { fails: ['DIFF-001:fail', 'DIFF-002:fail'] },
  // Its one-hour token is refused once the clock jumps 48 h (token expiry) or past a deadline an hour away, so the
  // token check never gets to say 12 or 20, and the findings say the platform refused its token first.
  STALE_ET: { fails: ['AUTH-002:fail', 'STRAT-003:fail', 'TOK-003:fail'] },
  // Without a token check between fragments it never hears 12, 15, 19, 20 or 22; the download answers error
  // byte 3 instead and it reports 107, also after a progress report was answered 22.
  TOKEN_CHECK_ONCE: {
    fails: [
      'RPT-004:fail',
      'STRAT-003:fail',
      'TOK-002:warn',
      'TOK-003:fail',
      'TOK-004:fail',
      'TOK-005:fail',
      'TOK-006:fail',
    ],
  },
};
