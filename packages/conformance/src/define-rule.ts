import { ResultCode } from '@onenet-ota/openapi/protocol';
import { codes, firstGap, isDownloadDone, servedIntact } from './evidence.ts';
import type { Evidence, Rule, ShouldFinding } from './types.ts';

/**
 * A finding that only warns, whatever the rule's level, because what it judges is not binding: `source` says what
 * it rests on (an inference, another platform's practice), and the finding carries it.
 */
export function should(text: string, source: string): ShouldFinding {
  return { level: 'SHOULD', text: `${text} (SHOULD, not binding: ${source})` };
}

/** Declares a rule; the identity function, there for the types and for one place to read what a rule is. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/**
 * Findings unless the device got the whole package right: it judged the image whole (no 205) and said so (101,
 * step 100 or 201), claimed nothing before every byte had reached it intact, and, where it shows what it
 * installed, installed the target image. Accepted or not: whether the platform agreed is the RPT rules' subject.
 */
export function downloadedWhole(evidence: Evidence): string[] {
  const sent = codes(evidence.journal).map((c) => c.code);
  return [
    ...(sent.includes(ResultCode.UpgradeMd5Mismatch) ? ['it reported 205: the image it assembled was wrong'] : []),
    ...(sent.some(isDownloadDone) || sent.includes(ResultCode.UpgradeSucceeded)
      ? []
      : ['it never reported the download done (101, step 100 or 201)']),
    ...claimsBackedByBytes(evidence),
    ...installedTarget(evidence),
  ];
}

/** {@link downloadedWhole}, and it went on to install and report 201. */
export function upgraded(evidence: Evidence): string[] {
  const sent = codes(evidence.journal).map((c) => c.code);
  return [
    ...downloadedWhole(evidence),
    ...(sent.includes(ResultCode.UpgradeSucceeded) ? [] : ['it never reported 201']),
  ];
}

/**
 * A finding for each 101, step 100 or 201 sent before every byte of the file had been delivered to the device
 * intact at least once: a device that claims a download it did not get (a skipped last byte, a fragment taken
 * from the wrong range, a corrupted fragment kept) is caught whether or not it checks md5.
 */
export function claimsBackedByBytes(evidence: Evidence): string[] {
  const claim = codes(evidence.journal).find((c) => isDownloadDone(c.code) || c.code === ResultCode.UpgradeSucceeded);
  if (!claim) return [];
  const gap = firstGap(servedIntact(evidence.journal, evidence.faults, claim.seq), evidence.file.size);
  return gap
    ? [
        `#${claim.seq} reports ${claim.code} although bytes ${gap[0]}-${gap[1]} of the ${evidence.file.size}-byte package never reached it intact`,
      ]
    : [];
}

/** Where the device shows what it installed: a finding unless that is the target image (or it reported no 201). */
export function installedTarget(evidence: Evidence): string[] {
  const { installed, image } = evidence;
  if (installed === undefined) return [];
  const success = codes(evidence.journal).find((c) => c.code === ResultCode.UpgradeSucceeded);
  if (installed === null)
    return success
      ? [
          `#${success.seq} reports 201 but the device wrote no image to {output} (OTA_OUTPUT); write the installed image there, or declare --without image`,
        ]
      : [];
  return installed.md5 === image.md5
    ? []
    : [
        `it installed an image of ${installed.size} bytes with md5 ${installed.md5}; the target image has ${image.size} bytes and md5 ${image.md5}`,
      ];
}

/** Where the device shows what it installed: a finding if it installed anything at all. */
export function installedNothing(evidence: Evidence): string[] {
  return evidence.installed
    ? [
        `it installed an image (${evidence.installed.size} bytes, md5 ${evidence.installed.md5}) it should have rejected`,
      ]
    : [];
}
