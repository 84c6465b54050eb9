import { OtaAgent, productResource, signToken } from '@onenet-ota/sdk';

const baseUrl = process.env.OTA_BASE_URL ?? 'http://127.0.0.1:8787'; // `pnpm run mock`
const accessKey = 'KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw='; // the demo product's key

// The Authorization header OneNET expects, valid for an hour.
const et = Math.floor(Date.now() / 1000) + 3600;
const authorization = await signToken({ accessKey, res: productResource('123123'), et });

// One upgrade, done the way a careful device does it.
let flashed = 0;
const agent = new OtaAgent({
  client: { baseUrl, productId: '123123', accessKey },
  devId: 32981907,
  type: 2,
  manuf: '100',
  model: '10001',
  version: 'V1.0',
  install: async (image) => {
    for await (const chunk of image) flashed += chunk.length;
  },
});
// biome-ignore lint/suspicious/noConsole: an example prints what it did
console.log(authorization, JSON.stringify(await agent.run()), flashed);
