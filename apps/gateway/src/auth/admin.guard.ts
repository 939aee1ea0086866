import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { principalOf } from './principal';

/** Admin routes: the caller (already identified by `ApiKeyGuard`) must hold an admin key. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = principalOf(context.switchToHttp().getRequest<FastifyRequest>());
    if (principal.source === 'anonymous') {
      throw new ApiError('invalid_api_key', 'This route needs an admin key. Send it as \'Authorization: Bearer <key>\'.');
    }
    if (principal.role !== 'admin') throw new ApiError('permission_denied', 'This route needs an admin key.');
    return true;
  }
}
