import { randomUUID } from 'node:crypto';
import {
  BusError,
  SUBJECTS,
  TypedBus,
  type ApiKeyInfo,
  type KeyCreateResponse,
  type KeyListRequest,
  type KeyVerifyResponse,
} from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { ApiKeyEntity, toKeyInfo } from './api-key.entity';
import { displayPrefix, hashSecret, newSecret } from './key-secret';
import { validateKeyRequest } from './key-request.validator';

/** API keys: issue (the secret is shown once), verify by hash, list, revoke (broadcast). */
@Injectable()
export class KeysService {
  private readonly repo: Repository<ApiKeyEntity>;

  constructor(
    dataSource: DataSource,
    private readonly bus: TypedBus,
    private readonly logger: JsonLogger,
  ) {
    this.repo = dataSource.getRepository(ApiKeyEntity);
  }

  async create(input: unknown): Promise<KeyCreateResponse> {
    const valid = validateKeyRequest(input);
    const secret = newSecret();
    const row = this.repo.create({
      id: randomUUID(),
      keyHash: hashSecret(secret),
      displayPrefix: displayPrefix(secret),
      ...valid,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
    await this.repo.insert(row);
    this.logger.write('info', 'api key created', { keyId: row.id, role: row.role, prefix: row.displayPrefix });
    return { key: toKeyInfo(row), secret };
  }

  async verify(hash: unknown): Promise<KeyVerifyResponse> {
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new BusError('invalid_request_error', 'hash must be a SHA-256 in hex');
    }
    const row = await this.repo.findOneBy({ keyHash: hash });
    // The lookup is by the SHA-256 of a 256-bit secret (lower-case hex, checked above), so its
    // timing tells nothing usable about the secret: no separate constant-time compare is needed.
    if (!row) {
      return { usable: false, reason: 'unknown' };
    }
    const key = toKeyInfo(row);
    if (row.revokedAt) return { key, usable: false, reason: 'revoked' };
    if (row.expiresAt && Date.parse(row.expiresAt) <= Date.now()) return { key, usable: false, reason: 'expired' };
    return { key, usable: true };
  }

  async list(request: KeyListRequest | null): Promise<ApiKeyInfo[]> {
    const rows = await this.repo.find({
      where: request?.includeRevoked ? {} : { revokedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
    return rows.map(toKeyInfo);
  }

  async revoke(id: unknown): Promise<ApiKeyInfo> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
      throw new BusError('invalid_request_error', 'id must be a key id', { param: 'id' });
    }
    const row = await this.repo.findOneBy({ id });
    if (!row) throw new BusError('not_found', `No API key with id '${id}'.`);
    if (!row.revokedAt) {
      row.revokedAt = new Date().toISOString();
      await this.repo.update({ id }, { revokedAt: row.revokedAt });
      this.logger.write('info', 'api key revoked', { keyId: id });
    }
    // Published again for an already revoked key: a replica that missed the first event learns now.
    this.bus.publish(SUBJECTS.auth.keyRevoked, { id, hash: row.keyHash });
    return toKeyInfo(row);
  }
}
