import { describe, expectTypeOf, it } from 'vitest';
import type { components, paths } from '../src/generated/openapi.ts';

describe('generated types', () => {
  it('types the southbound and management operations', () => {
    type Check = paths['/ota/south/check']['get'];
    expectTypeOf<Check['parameters']['query']['type']>().toEqualTypeOf<1 | 2>();
    expectTypeOf<components['schemas']['TaskInfo']['token']>().toEqualTypeOf<string>();
    expectTypeOf<components['schemas']['DeviceTaskState']>().toEqualTypeOf<
      'pending' | 'downloading' | 'upgrading' | 'succeeded' | 'failed' | 'canceled' | 'paused'
    >();
    expectTypeOf<
      paths['/api/v1/products/{productId}/tasks/{taskId}/{action}']['post']['parameters']['path']['action']
    >().toEqualTypeOf<'start' | 'pause' | 'resume' | 'cancel'>();
  });
});
