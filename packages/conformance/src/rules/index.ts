import type { Rule } from '../types.ts';
import auth001 from './auth/auth-001-valid-token.ts';
import auth002 from './auth/auth-002-et-not-expired.ts';
import auth003 from './auth/auth-003-field-tokens.ts';
import diff001 from './diff/diff-001-restore.ts';
import diff002 from './diff/diff-002-wrong-base.ts';
import http001 from './http/http-001-chunked-answers.ts';
import mqtt001 from './mqtt/mqtt-001-inform-reply.ts';
import ota001 from './ota/ota-001-ota-errno.ts';
import req001 from './req/req-001-documented-parameters.ts';
import req002 from './req/req-002-crlf-line-endings.ts';
import rng001 from './rng/rng-001-well-formed-ranges.ts';
import rng002 from './rng/rng-002-resume-after-reset.ts';
import rng003 from './rng/rng-003-resume-after-restart.ts';
import rng004 from './rng/rng-004-whole-file-answer.ts';
import rng005 from './rng/rng-005-error-byte.ts';
import rng006 from './rng/rng-006-md5.ts';
import rng007 from './rng/rng-007-content-range.ts';
import rng008 from './rng/rng-008-last-byte.ts';
import rng009 from './rng/rng-009-odd-size.ts';
import rng010 from './rng/rng-010-one-byte.ts';
import rng011 from './rng/rng-011-two-bytes.ts';
import rng012 from './rng/rng-012-large.ts';
import rpt001 from './rpt/rpt-001-progress.ts';
import rpt002 from './rpt/rpt-002-downloaded-before-success.ts';
import rpt003 from './rpt/rpt-003-final-code.ts';
import rpt004 from './rpt/rpt-004-nothing-after-end.ts';
import rpt005 from './rpt/rpt-005-version-after-success.ts';
import rpt006 from './rpt/rpt-006-no-101-after-100.ts';
import strat001 from './strat/strat-001-thresholds.ts';
import strat002 from './strat/strat-002-retries.ts';
import strat003 from './strat/strat-003-deadline.ts';
import strat004 from './strat/strat-004-not-started.ts';
import tok001 from './tok/tok-001-check-before-first-fragment.ts';
import tok002 from './tok/tok-002-check-before-every-fragment.ts';
import tok003 from './tok/tok-003-expired-token.ts';
import tok004 from './tok/tok-004-superseded-token.ts';
import tok005 from './tok/tok-005-canceled.ts';
import tok006 from './tok/tok-006-paused.ts';

/** Every rule of the suite, in report order. Ids are stable and never reused. */
export const rules: readonly Rule[] = [
  auth001,
  auth002,
  auth003,
  req001,
  req002,
  http001,
  tok001,
  tok002,
  tok003,
  tok004,
  tok005,
  tok006,
  rng001,
  rng002,
  rng003,
  rng004,
  rng005,
  rng006,
  rng007,
  rng008,
  rng009,
  rng010,
  rng011,
  rng012,
  ota001,
  mqtt001,
  rpt001,
  rpt002,
  rpt003,
  rpt004,
  rpt005,
  rpt006,
  strat001,
  strat002,
  strat003,
  strat004,
  diff001,
  diff002,
];
