import { describe, expect, it } from 'vitest';
import { type CorsPolicy, createPlatform, demo } from '../src/index.ts';
import { startServer } from '../src/node.ts';

// A browser app under test calls the platform from its own origin: the preflight and the answers carry what the
// browser needs to let the page read them, for the origins the policy allows and no others.

async function withServer(cors: CorsPolicy | undefined, run: (url: string) => Promise<void>): Promise<void> {
  const server = await startServer({ port: 0, platform: createPlatform({ seed: 'demo', ...(cors ? { cors } : {}) }) });
  try {
    await run(server.url);
  } finally {
    await server.close();
  }
}

const preflightFrom = (url: string, origin: string) =>
  fetch(`${url}/ota/south/check`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization',
    },
  });

describe('CORS', () => {
  it('lets a page served from this machine call the device API by default: preflight, then the answer', async () => {
    await withServer(undefined, async (url) => {
      const preflight = await preflightFrom(url, 'http://localhost:5173');
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
      const answer = await fetch(`${url}/api/v1/products/${demo.productId}/packages/pkg_1/content`, {
        headers: { Origin: 'http://127.0.0.1:3000' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
      expect(answer.headers.get('access-control-expose-headers')).toContain('Content-Range');
      expect((await answer.arrayBuffer()).byteLength).toBe(demo.packageSize);
    });
  });

  it('gives a page from elsewhere nothing to read by default', async () => {
    await withServer(undefined, async (url) => {
      const preflight = await preflightFrom(url, 'https://evil.example');
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const answer = await fetch(`${url}/api/v1/products`, { headers: { Origin: 'https://evil.example' } });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  it('follows a list of origins, or none with off', async () => {
    await withServer(['https://console.example'], async (url) => {
      expect((await preflightFrom(url, 'https://console.example')).headers.get('access-control-allow-origin')).toBe(
        'https://console.example',
      );
      expect((await preflightFrom(url, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
    });
    await withServer('off', async (url) => {
      expect((await preflightFrom(url, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
