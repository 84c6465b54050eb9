import { formatErrors } from '@onenet-ota/openapi/document';
import { type components, md5Hex, mediaType } from '@onenet-ota/sdk';
import type { Call } from '../core/call.ts';
import type { Context } from '../core/context.ts';
import { nextId, type PackageRecord } from '../core/domain/records.ts';
import { assertRoomFor } from '../core/domain/storage.ts';
import { rangeStream } from '../core/http/answer-body.ts';
import { ProblemError } from '../core/http/responses.ts';
import { specValidator } from '../core/http/spec.ts';
import { noContent, params, reply } from './input.ts';
import * as find from './lookup.ts';
import { page, toPackage } from './serialize.ts';

type Module = components['schemas']['Module'];

/** `POST …/packages`: the raw image as the body, metadata in the query (streams in without multipart). */
export function uploadPackage(call: Call, ctx: Context): Response {
  const p = params(call, 'uploadPackage');
  const product = find.product(ctx, p.productId);
  requireBinary(call, ctx);
  const name = String(p.name);
  if ([...ctx.state.packages.values()].some((pkg) => pkg.productId === product.id && pkg.name === name)) {
    throw new ProblemError('Conflict', `a package named ${name} already exists in product ${product.id}`);
  }
  assertRoomFor(ctx, call.body.length);
  const record: PackageRecord = {
    id: nextId(ctx.state, 'pkg'),
    productId: product.id,
    name,
    module: p.module as Module,
    manuf: (p.manuf as string | undefined) ?? product.manuf,
    model: (p.model as string | undefined) ?? product.model,
    targetVersion: String(p.targetVersion),
    fileName: String(p.fileName),
    description: (p.description as string | undefined) ?? '',
    size: call.body.length,
    md5: call.bodyMd5 ?? md5Hex(call.body),
    bytes: call.body,
    createdAt: ctx.clock.now(),
  };
  ctx.state.packages.set(record.id, record);
  return reply(201, toPackage(record), `/api/v1/products/${product.id}/packages/${record.id}`);
}

export function listPackages(call: Call, ctx: Context): Response {
  const p = params(call, 'listPackages');
  const product = find.product(ctx, p.productId);
  const packages = [...ctx.state.packages.values()]
    .filter((pkg) => pkg.productId === product.id)
    .filter((pkg) => p.module === undefined || pkg.module === p.module)
    .filter((pkg) => p.targetVersion === undefined || pkg.targetVersion === p.targetVersion)
    .reverse();
  return reply(200, page(packages.map(toPackage), p));
}

export function getPackage(call: Call, ctx: Context): Response {
  const p = params(call, 'getPackage');
  return reply(200, toPackage(find.packageOf(ctx, p.productId, p.packageId)));
}

export function deletePackage(call: Call, ctx: Context): Response {
  const p = params(call, 'deletePackage');
  const pkg = find.packageOf(ctx, p.productId, p.packageId);
  const users = find.liveTasksUsing(ctx, (t) => t.packageId === pkg.id);
  if (users.length > 0)
    throw new ProblemError('InvalidState', `task ${users[0]?.id} uses the package and is ${users[0]?.state}`, {
      state: users[0]?.state,
    });
  for (const [id, diff] of ctx.state.diffs) if (diff.packageId === pkg.id) ctx.state.diffs.delete(id);
  ctx.state.packages.delete(pkg.id);
  return noContent();
}

export function getPackageContent(call: Call, ctx: Context): Response {
  const p = params(call, 'getPackageContent');
  const pkg = find.packageOf(ctx, p.productId, p.packageId);
  return new Response(rangeStream(pkg.bytes, 0, pkg.size - 1), {
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(pkg.size),
      'Content-Disposition': `attachment; filename="${pkg.fileName}"`,
    },
  });
}

/** Uploads are raw bytes: refuses another media type (415) and an empty body (400). */
export function requireBinary(call: Call, _ctx: Context): void {
  const type = mediaType(call.request.headers.get('content-type'));
  if (type !== 'application/octet-stream') {
    throw new ProblemError(
      'UnsupportedMediaType',
      `upload the file as application/octet-stream, not ${type ?? 'no Content-Type'}`,
    );
  }
  // The spec bounds a file by its length alone (`UploadedFile`, minLength 1): judged on a stand-in, empty or not.
  const validate = specValidator().schema('UploadedFile');
  if (!validate(' '.repeat(Math.min(call.body.length, 1))))
    throw new ProblemError('InvalidRequest', 'the file is empty', {
      errors: [{ pointer: '#/body', message: formatErrors(validate) }],
    });
}
