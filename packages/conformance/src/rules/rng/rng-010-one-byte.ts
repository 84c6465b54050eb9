import { defineRule, downloadedWhole } from '../../define-rule.ts';

export default defineRule({
  id: 'RNG-010',
  title: 'A one-byte package is downloaded and installed',
  ref: '§2.4',
  level: 'MUST',
  description:
    'The smallest package there is. The device may ask `bytes=0-1` (the platform answers `bytes 0-0/1`, "end>=文件总长度len，则默认end=len-1") or take the whole file, and installs the one byte.',
  scenario: { packageSize: 1 },
  needs: ['found-task'],
  check: (evidence) => downloadedWhole(evidence),
});
