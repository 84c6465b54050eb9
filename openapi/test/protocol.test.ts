// The protocol as data (`@onenet-ota/openapi/protocol`), generated from the spec by scripts/render-protocol.ts.
import { describe, expect, it } from 'vitest';
import {
  CheckErrno,
  Errno,
  enumDescriptions,
  operations,
  patterns,
  ResultCode,
  stateMachine,
} from '../generated/protocol.ts';
import { renderProtocol } from '../scripts/render-protocol.ts';
import { loadSpec, type OpenApiDocument } from '../src/index.ts';

describe('generated protocol data', () => {
  it('names errno codes as the spec does', () => {
    expect(Errno.TokenExpired).toBe(12);
    expect(Errno.TokenSuperseded).toBe(15);
    expect(CheckErrno.NoTask).toBe(11);
    expect(enumDescriptions.TokenCheckErrno[22]).toBe('task canceled, do not report a failure');
  });

  it('gives every errno of the spec a name', () => {
    const schemas = loadSpec().components.schemas;
    const codes = Object.entries(schemas)
      .filter(([name]) => name.endsWith('Errno'))
      .flatMap(([, s]) => s.enum as number[]);
    expect(new Set(Object.values(Errno))).toEqual(new Set(codes));
  });

  it('routes every operation and maps aliases and errno tables', () => {
    expect(operations.checkTask).toEqual({
      method: 'GET',
      path: '/ota/south/check',
      tag: 'device',
      errno: 'CheckErrno',
      errnoField: 'errno',
    });
    expect(operations.fuseCheckTask).toMatchObject({ tag: 'device-fuse', errno: 'FuseCode', errnoField: 'code' });
    expect(operations.studioDownloadPackage).toMatchObject({ errno: 'StudioCode', errnoField: 'errno' });
    expect(operations.checkTaskLegacy).toMatchObject({ path: '/ota/check', aliasOf: 'checkTask', errno: 'CheckErrno' });
    expect(operations.downloadPackage).not.toHaveProperty('errno');
    expect(Object.keys(operations)).toHaveLength(
      Object.values(loadSpec().paths).flatMap((item) => Object.keys(item).filter((k) => k !== 'parameters')).length,
    );
  });

  it('compiles the spec patterns', () => {
    expect(patterns.UpgradeToken.test('ota_iF0hnXrq2CxLrP8vZ39l')).toBe(true);
    expect(patterns.DeviceVersion.test('V1.0-beta_2')).toBe(true);
    expect(patterns.DeviceVersion.test('版本1')).toBe(false);
    expect(patterns.RangeHeader.test('bytes=0-4095')).toBe(true);
    expect(patterns.RangeHeader.test('50500-50999')).toBe(true);
    expect(patterns.RangeHeader.test('bytes=0-1,5-6')).toBe(false);
  });

  it('carries the state machine', () => {
    expect(stateMachine.deviceStates.downloading.codes['101']).toEqual({ to: 'upgrading', toIfTaskPaused: 'paused' });
    expect(ResultCode.UpgradeSucceeded).toBe(201);
  });

  it('refuses a spec where one errno name means two codes', () => {
    const doc = structuredClone(loadSpec()) as OpenApiDocument;
    const table = doc.components.schemas.ReportErrno;
    if (!table?.enum) throw new Error('ReportErrno missing');
    table.enum[table.enum.indexOf(24)] = 25;
    table['x-enum-varnames']?.splice(table.enum.indexOf(25), 1, 'TokenExpired');
    expect(() => renderProtocol(doc)).toThrow(/TokenExpired/);
  });
});
