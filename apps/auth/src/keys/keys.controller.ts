import {
  SUBJECTS,
  type ApiKeyInfo,
  type KeyCreateResponse,
  type KeyListRequest,
  type KeyListResponse,
  type KeyRevokeRequest,
  type KeyVerifyRequest,
  type KeyVerifyResponse,
} from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysService } from './keys.service';

/** The keys API on the bus (the gateway's admin routes and the CLI call it). */
@BusController()
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @MessagePattern(SUBJECTS.auth.createKey)
  create(@Payload() request: unknown): Promise<KeyCreateResponse> {
    return this.keys.create(request);
  }

  @MessagePattern(SUBJECTS.auth.verifyKey)
  verify(@Payload() request: KeyVerifyRequest | null): Promise<KeyVerifyResponse> {
    return this.keys.verify(request?.hash);
  }

  @MessagePattern(SUBJECTS.auth.listKeys)
  async list(@Payload() request: KeyListRequest | null): Promise<KeyListResponse> {
    return { keys: await this.keys.list(request) };
  }

  @MessagePattern(SUBJECTS.auth.revokeKey)
  revoke(@Payload() request: KeyRevokeRequest | null): Promise<ApiKeyInfo> {
    return this.keys.revoke(request?.id);
  }
}
