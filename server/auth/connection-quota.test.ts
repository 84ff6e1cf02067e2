import { describe, expect, it } from 'vitest';
import { ConnectionQuota, QuotaSlot } from './connection-quota.js';

const limits = { maxConnections: 3, maxConnectionsPerDoc: 2, maxConnectionsPerIp: 2 };

function reserved(quota: ConnectionQuota, doc: string, address: string | null): QuotaSlot {
  const slot = quota.reserve(doc, address);
  if (!(slot instanceof QuotaSlot)) throw new Error(`expected a slot, got ${slot.refusal.code}`);
  return slot;
}

describe('ConnectionQuota', () => {
  it('refuses per document, per address and in total, and frees exactly one place per slot however often it is released', () => {
    const quota = new ConnectionQuota(limits);
    const a = reserved(quota, 'd', '10.0.0.1');
    reserved(quota, 'd', '10.0.0.2');
    expect(quota.reserve('d', '10.0.0.3')).toMatchObject({ refusal: { code: 'document-full' } });
    reserved(quota, 'e', '10.0.0.1');
    expect(quota.reserve('f', null)).toMatchObject({ refusal: { code: 'server-full' } });
    a.release();
    a.release();
    expect(quota.total).toBe(2);
    expect(quota.reserve('f', '10.0.0.1')).toBeInstanceOf(QuotaSlot);
    expect(quota.reserve('g', '10.0.0.1')).toMatchObject({ refusal: { code: 'server-full' } });
  });

  it('counts a null (loopback) address in total and per document only', () => {
    const quota = new ConnectionQuota({ ...limits, maxConnectionsPerIp: 1 });
    reserved(quota, 'd', null);
    reserved(quota, 'e', null);
    expect(quota.total).toBe(2);
  });
});
