import { createServer, Server } from 'node:net';
import { MfaPattern, RecoveryCodesResponse } from '@twostep/contracts';
import { parseKeyring, rpcKeys, rpcNonce, signRpcRequest } from '@twostep/crypto';
import { RpcConnection, RpcTimeoutError } from '@twostep/messaging';
import { freePort, TestStack, testKey, waitFor } from '@twostep/testing';
import { Api } from './support/http';
import { metricValue, RawRpcPeer } from './support/rpc';

/**
 * Issue 10, hole 3: mfa-service answers only callers holding MFA_RPC_KEY. Against the built processes: two
 * mfa-service replicas sharing one database and key, spoken to over raw TCP.
 */
describe('mfa-service RPC authentication (MFA_RPC_KEY)', () => {
  let stack: TestStack;
  let userId: string;
  let codes: string[];
  const keys = () => rpcKeys(parseKeyring(stack.env.MFA_RPC_KEY));
  const genuine = (port: number) => RpcConnection.open('127.0.0.1', port, keys(), 5000);
  const currentCodes = async () => {
    const c = await genuine(stack.ports.rpc);
    try {
      return ((await c.call(MfaPattern.RecoveryCodesGet, { userId }, 5000)) as RecoveryCodesResponse).recoveryCodes;
    } finally {
      c.close();
    }
  };
  /** a request frame as a genuine client would write it on a connection whose hello carried `serverNonce` */
  const frame = (serverNonce: string, pattern: string, data: unknown, seq = 1, k = keys()) =>
    signRpcRequest(k, serverNonce, rpcNonce(), seq, Date.now(), JSON.stringify({ pattern, data, id: String(seq) }));
  const rejected = (reason: string) =>
    Promise.all([
      metricValue(stack, 'mfa-service', 'mfa_rpc_rejected_total', { reason }),
      metricValue(stack, 'mfa-service-2', 'mfa_rpc_rejected_total', { reason }),
    ]).then(([a, b]) => a + b);
  const handled = (pattern: string) =>
    Promise.all([
      metricValue(stack, 'mfa-service', 'mfa_rpc_requests_total', { pattern }),
      metricValue(stack, 'mfa-service-2', 'mfa_rpc_requests_total', { pattern }),
    ]).then(([a, b]) => a + b);

  beforeAll(async () => {
    // auth-api (started by the last test only) is given a key of its own: a misconfigured deployment
    stack = await TestStack.start({
      label: 'rpcauth',
      services: ['mfa-service'],
      mfaReplicas: 2,
      serviceEnv: { 'auth-api': { MFA_RPC_KEY: testKey(), RATE_LIMIT_ENABLED: 'false' } },
    });
    userId = `u${rpcNonce()
      .replace(/[^a-z0-9]/gi, '')
      .slice(0, 12)
      .toLowerCase()}`;
    const c = await genuine(stack.ports.rpc);
    codes = ((await c.call(MfaPattern.RecoveryCodesCreate, { userId }, 5000)) as RecoveryCodesResponse).recoveryCodes;
    c.close();
    expect(codes.length).toBeGreaterThan(0);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('a raw message without credentials gets no data and has no effect, and is counted', async () => {
    const before = await rejected('malformed');
    for (const [pattern, data] of [
      [MfaPattern.RecoveryCodesGet, { userId }],
      [MfaPattern.UserPurge, { userId }],
    ] as const) {
      const peer = await RawRpcPeer.open(stack.ports.rpc);
      peer.send({ pattern, data, id: '1' });
      expect(await peer.closedWithin(3000)).toBe(true);
      // only the hello and a bare refusal came back
      expect(peer.frames).toEqual([{ h: { v: 1, n: expect.any(String) } }, { r: 'unauthenticated' }]);
      for (const code of codes) expect(peer.received).not.toContain(code);
    }
    expect(await currentCodes()).toEqual(codes);
    expect(await rejected('malformed')).toBe(before + 2);
  });

  it('a message MACed with a wrong key gets no data and has no effect, and is counted', async () => {
    const before = await rejected('bad_mac');
    const wrongKeys = rpcKeys(parseKeyring(testKey()));
    for (const pattern of [MfaPattern.RecoveryCodesGet, MfaPattern.UserPurge]) {
      const peer = await RawRpcPeer.open(stack.ports.rpc2);
      peer.send(frame(peer.serverNonce, pattern, { userId }, 1, wrongKeys));
      expect(await peer.closedWithin(3000)).toBe(true);
      expect(peer.frames).toEqual([{ h: { v: 1, n: expect.any(String) } }, { r: 'unauthenticated' }]);
      for (const code of codes) expect(peer.received).not.toContain(code);
    }
    expect(await currentCodes()).toEqual(codes);
    expect(await rejected('bad_mac')).toBe(before + 2);
  });

  it('a captured genuine message re-sent on its connection, on another connection or to the other replica gets nothing and changes nothing', async () => {
    const before = {
      replayed: await rejected('replayed'),
      badMac: await rejected('bad_mac'),
      regenerations: await handled(MfaPattern.RecoveryCodesRegenerate),
    };
    // the genuine exchange: regenerate once, answered with the new codes
    const original = await RawRpcPeer.open(stack.ports.rpc);
    const captured = frame(original.serverNonce, MfaPattern.RecoveryCodesRegenerate, { userId });
    original.send(captured);
    await original.waitFrames(2);
    const answer = JSON.parse((original.frames[1] as { b: string }).b) as { response: RecoveryCodesResponse };
    const regenerated = answer.response.recoveryCodes;
    expect(regenerated).not.toEqual(codes);
    expect(await currentCodes()).toEqual(regenerated);

    // replayed byte for byte: on the same connection, on a new one to the same replica, and to the other replica
    original.send(captured);
    expect(await original.closedWithin(3000)).toBe(true);
    const targets = [await RawRpcPeer.open(stack.ports.rpc), await RawRpcPeer.open(stack.ports.rpc2)];
    for (const peer of targets) {
      peer.send(captured);
      expect(await peer.closedWithin(3000)).toBe(true);
      expect(peer.frames).toEqual([{ h: { v: 1, n: expect.any(String) } }, { r: 'unauthenticated' }]);
    }
    // exactly two frames on the original connection (hello, the one answer), then the refusal
    expect(original.frames).toHaveLength(3);
    expect(original.frames[2]).toEqual({ r: 'unauthenticated' });
    // no handler ran again: the codes are still the regenerated ones and only one regeneration was handled
    expect(await currentCodes()).toEqual(regenerated);
    expect(await handled(MfaPattern.RecoveryCodesRegenerate)).toBe(before.regenerations + 1);
    expect(await rejected('replayed')).toBe(before.replayed + 1);
    expect(await rejected('bad_mac')).toBe(before.badMac + 2);
    codes = regenerated;
  });

  it('a caller whose keyring lists the server key under an id of its own (rotation) is answered', async () => {
    // the server holds the bare key; the client's keyring `current:<same key>,next:<new key>` signs with it
    const c = await RpcConnection.open(
      '127.0.0.1',
      stack.ports.rpc,
      rpcKeys(parseKeyring(`current:${stack.env.MFA_RPC_KEY},next:${testKey()}`)),
      5000,
    );
    expect(((await c.call(MfaPattern.RecoveryCodesGet, { userId }, 5000)) as RecoveryCodesResponse).recoveryCodes).toEqual(codes);
    c.close();
  });

  describe('replies are authenticated too', () => {
    let rogue: Server;
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      // a rogue listener on the RPC port: it sends a hello and answers every request "verified"
      rogue = createServer((socket) => {
        const send = (o: unknown) => {
          const json = JSON.stringify(o);
          socket.write(`${json.length}#${json}`);
        };
        send({ h: { v: 1, n: rpcNonce() } });
        socket.on('data', () => {
          const body = JSON.stringify({ id: '1', response: { verified: true, factor: 'totp' }, isDisposed: true });
          send({ m: 'f'.repeat(64), b: body });
          send({ b: body });
          send({ id: '1', response: { verified: true }, isDisposed: true });
        });
      });
      await new Promise<void>((resolve) => rogue.listen(port, '127.0.0.1', resolve));
    });

    afterAll(() => new Promise<void>((resolve) => rogue.close(() => resolve())));

    it('a rogue listener cannot answer a call: its forged replies are dropped and the call fails', async () => {
      const c = await RpcConnection.open('127.0.0.1', port, keys(), 5000);
      await expect(
        c.call(MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: 'c', otp: '123456' }, 800),
      ).rejects.toBeInstanceOf(RpcTimeoutError);
      c.close();
    });
  });

  it('an auth-api whose MFA_RPC_KEY differs gets no answer: its MFA routes are 503, it says why, and nothing changed', async () => {
    await stack.startService('auth-api');
    const api = new Api(stack);
    const u = await api.createUser();
    const { session } = await api.signIn(u.email, u.password);
    const res = await api.as<{ type: string }>(session, 'GET', '/account/mfa/factors');
    expect({ status: res.status, type: res.body.type }).toEqual({ status: 503, type: 'general_service_unavailable' });
    await waitFor(
      async () => stack.logs['auth-api'].some((l) => l.includes('MFA_RPC_KEY differs')),
      10_000,
      50,
      'auth-api to log the key mismatch',
    );
    expect(await rejected('bad_mac')).toBeGreaterThan(0);
    expect(await currentCodes()).toEqual(codes);
    await stack.stopService('auth-api');
  }, 60_000);
});
