import type { OneNetClient } from './clients.ts';
import type { components, operations } from './generated/openapi.ts';

/** The query of `POST /api/v1/products/{productId}/packages`: name, module, target version, file name, … */
export type UploadPackageQuery = operations['uploadPackage']['parameters']['query'];

/** What {@link uploadPackage} answers: the stored package on 201, the problem otherwise, and the response. */
export interface UploadPackageResult {
  data?: components['schemas']['Package'];
  error?: components['schemas']['Problem'];
  response: Response;
}

/**
 * Uploads a package's bytes through a management client (`POST /api/v1/products/{productId}/packages`), sent as
 * they are with `Content-Type: application/octet-stream`, where openapi-fetch would otherwise serialise the body as
 * JSON. Answers as the client does: `{ data: Package }` on 201, the problem in `error` otherwise.
 *
 * @example
 * const { data } = await uploadPackage(admin, '123123', { name: 'app', module: 'sota', targetVersion: 'V2.0', fileName: 'app.bin' }, bytes);
 */
export async function uploadPackage(
  client: OneNetClient,
  productId: string,
  query: UploadPackageQuery,
  bytes: Uint8Array,
): Promise<UploadPackageResult> {
  const { data, error, response } = await client.POST('/api/v1/products/{productId}/packages', {
    params: { path: { productId }, query },
    // The spec types a binary body as a string; the bytes go out untouched.
    body: bytes as unknown as string,
    bodySerializer: (body) => body as unknown as BodyInit,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  return {
    ...(data ? { data } : {}),
    ...(error ? { error: error as components['schemas']['Problem'] } : {}),
    response,
  };
}
