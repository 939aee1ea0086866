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
import { failureOutcome, keyMetrics, verifyOutcome, type KeyOperation, type KeyOutcome } from '../metrics/auth-metrics';
import { KeysService } from './keys.service';

/** The keys API on the bus (the gateway's admin routes and the CLI call it). */
@BusController()
export class KeysController {
  private readonly metrics = keyMetrics();

  constructor(private readonly keys: KeysService) {}

  @MessagePattern(SUBJECTS.auth.createKey)
  create(@Payload() request: unknown): Promise<KeyCreateResponse> {
    return this.counted('create', () => this.keys.create(request));
  }

  @MessagePattern(SUBJECTS.auth.verifyKey)
  verify(@Payload() request: KeyVerifyRequest | null): Promise<KeyVerifyResponse> {
    return this.counted('verify', () => this.keys.verify(request?.hash), verifyOutcome);
  }

  @MessagePattern(SUBJECTS.auth.listKeys)
  list(@Payload() request: KeyListRequest | null): Promise<KeyListResponse> {
    return this.counted('list', async () => ({ keys: await this.keys.list(request) }));
  }

  @MessagePattern(SUBJECTS.auth.revokeKey)
  revoke(@Payload() request: KeyRevokeRequest | null): Promise<ApiKeyInfo> {
    return this.counted('revoke', () => this.keys.revoke(request?.id));
  }

  private async counted<T>(operation: KeyOperation, work: () => Promise<T>, outcomeOf: (answer: T) => KeyOutcome = () => 'ok'): Promise<T> {
    try {
      const answer = await work();
      this.metrics.operations.inc({ operation, outcome: outcomeOf(answer) });
      return answer;
    } catch (error) {
      this.metrics.operations.inc({ operation, outcome: failureOutcome(error) });
      throw error;
    }
  }
}
